package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before reading again after {@code failures} failures in a row: {@code first},
 * doubling to {@code max}, with ±20% jitter so many watchers do not retry in step.
 *
 * @param firstAtOnce no wait after the first failure (the CLI re-reads at once when its watch ends)
 */
public record Backoff(Duration first, Duration max, boolean firstAtOnce) {
  /** 100 ms, doubling to 5 s. */
  public static final Backoff DEFAULT =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), false);

  /** None after the first failure, then as {@link #DEFAULT}: 200 ms, doubling to 5 s. */
  public static final Backoff FIRST_AT_ONCE =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), true);

  /** The wait after {@code failures} ({@code >= 1}) failures in a row. */
  public Duration delay(int failures) {
    if (firstAtOnce && failures <= 1) {
      return Duration.ZERO;
    }
    long base = Math.min(max.toMillis(), first.toMillis() << Math.min(failures - 1, 10));
    double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (base * factor));
  }
}
