package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;

/**
 * Why a {@link RangeWatch} was moved to another member: it did not show etcd's revision within the
 * liveness bound (its member is frozen, cut off, or behind the cluster).
 */
public final class WatchUnconfirmedException extends RuntimeException {
  private final long wanted;
  private final long heard;
  private final long applied;

  public WatchUnconfirmedException(long wanted, long heard, long applied, Duration bound) {
    super(
        "the watch did not show etcd's revision "
            + wanted
            + " within "
            + bound.toMillis()
            + " ms (it heard up to "
            + heard
            + ")",
        null,
        false,
        false);
    this.wanted = wanted;
    this.heard = heard;
    this.applied = applied;
  }

  /** The revision up to which the watch's changes were applied: it resumes after it. */
  public long applied() {
    return applied;
  }

  /** The revision etcd had reached. */
  public long wanted() {
    return wanted;
  }

  /** The highest revision the watch had heard of. */
  public long heard() {
    return heard;
  }
}
