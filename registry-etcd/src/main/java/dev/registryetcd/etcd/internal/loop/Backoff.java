package dev.registryetcd.etcd.internal.loop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before trying again: after {@code failures} failures in a row, {@code first}
 * doubling to {@code max} ({@link #delay}), or a fixed delay given by the caller ({@link #spread});
 * either spread by ±20% so that many processes hit by one outage do not retry in step.
 *
 * @param firstAtOnce no wait after the first failure (a watch stream, or the CLI, re-reads at once
 *     when its watch ends)
 * @param random where the spread comes from, a value in {@code [0, 1)}; fixed in tests
 */
public record Backoff(Duration first, Duration max, boolean firstAtOnce, DoubleSupplier random) {
  private static final DoubleSupplier JITTER = () -> ThreadLocalRandom.current().nextDouble();

  /** 100 ms, doubling to 5 s. */
  public static final Backoff DEFAULT =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), false, JITTER);

  /** None after the first failure, then as {@link #DEFAULT}: 200 ms, doubling to 5 s. */
  public static final Backoff FIRST_AT_ONCE =
      new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), true, JITTER);

  /** This backoff with its spread taken from {@code random} (tests fix it). */
  public Backoff withRandom(DoubleSupplier random) {
    return new Backoff(first, max, firstAtOnce, random);
  }

  /** The wait after {@code failures} ({@code >= 1}) failures in a row. */
  public Duration delay(int failures) {
    if (firstAtOnce && failures <= 1) {
      return Duration.ZERO;
    }
    long base = Math.min(max.toMillis(), first.toMillis() << Math.min(failures - 1, 10));
    return spread(Duration.ofMillis(base));
  }

  /** {@code delay} spread over {@code [0.8, 1.2)} times itself. */
  public Duration spread(Duration delay) {
    double factor = 0.8 + 0.4 * random.getAsDouble();
    return Duration.ofNanos((long) (delay.toNanos() * factor));
  }
}
