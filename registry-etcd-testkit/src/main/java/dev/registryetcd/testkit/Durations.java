package dev.registryetcd.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * Formatting and validation of {@link Duration}s, plus the polling pause used by every bounded
 * wait.
 */
final class Durations {

  /** Pause between two polls of a bounded wait. */
  static final Duration POLL_INTERVAL = Duration.ofMillis(25);

  private Durations() {}

  /** "30s", "1500ms", "2m". */
  static String format(Duration d) {
    long millis = d.toMillis();
    if (millis % 60_000 == 0 && millis >= 60_000) {
      return millis / 60_000 + "m";
    }
    if (millis % 1000 == 0) {
      return millis / 1000 + "s";
    }
    return millis + "ms";
  }

  static Duration requirePositive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + d);
    }
    return d;
  }

  /** Nanos left until {@code deadlineNanos} (a {@link System#nanoTime()} value), never negative. */
  static long remainingNanos(long deadlineNanos) {
    return Math.max(0, deadlineNanos - System.nanoTime());
  }

  /** The smaller of {@code cap} and the time left until the deadline, at least 1 ms. */
  static Duration capToDeadline(Duration cap, long deadlineNanos) {
    long left = remainingNanos(deadlineNanos);
    return Duration.ofNanos(Math.max(1_000_000, Math.min(cap.toNanos(), left)));
  }

  static long deadline(Duration timeout) {
    return System.nanoTime() + timeout.toNanos();
  }

  static boolean passed(long deadlineNanos) {
    return System.nanoTime() - deadlineNanos >= 0;
  }

  /** Short pause between polls; restores the interrupt flag and throws if interrupted. */
  static void pause() {
    try {
      Thread.sleep(POLL_INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }
}
