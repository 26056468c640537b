package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;

/**
 * How long a watch may go unconfirmed: every {@code interval} its owner reads etcd's revision (one
 * linearizable read, bounded by {@code bound}) and each watch that has not yet heard that revision
 * asks its member for progress; a watch that does not show the revision within {@code bound} is
 * unconfirmed and moved to another member. A change in etcd is therefore either seen, or its watch
 * reported unconfirmed, within about {@code interval + bound}.
 *
 * @param interval between two checks
 * @param bound how long a check's read, and a watch's answer to it, may take
 */
public record Liveness(Duration interval, Duration bound) {
  /** A check every second, 500 ms for the answers: unconfirmed within 1.5 s of a change. */
  public static final Liveness DEFAULT =
      new Liveness(Duration.ofSeconds(1), Duration.ofMillis(500));

  public Liveness {
    if (interval == null || interval.isZero() || interval.isNegative()) {
      throw new IllegalArgumentException("the liveness interval must be positive, not " + interval);
    }
    if (bound == null || bound.isZero() || bound.isNegative()) {
      throw new IllegalArgumentException("the liveness bound must be positive, not " + bound);
    }
  }
}
