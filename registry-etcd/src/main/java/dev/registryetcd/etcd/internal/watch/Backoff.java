package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long to wait before reading again after {@code failures} failures in a row: {@code first},
 * doubling to {@code max}, with ±20% jitter so many watchers do not retry in step.
 */
public record Backoff(Duration first, Duration max) {
  /** 100 ms, doubling to 5 s. */
  public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  /** The wait after {@code failures} ({@code >= 1}) failures in a row. */
  public Duration delay(int failures) {
    long base = Math.min(max.toMillis(), first.toMillis() << Math.min(failures - 1, 10));
    double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (base * factor));
  }
}
