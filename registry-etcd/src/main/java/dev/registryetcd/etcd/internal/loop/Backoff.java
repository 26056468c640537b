package dev.registryetcd.etcd.internal.loop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between retries: spread by ±20% so that many processes hit by one outage do not retry in
 * step, and growing from a floor to a cap while failures go on.
 *
 * @param random where the spread comes from, a value in {@code [0, 1)}; fixed in tests
 */
public record Backoff(DoubleSupplier random) {

  /** A backoff with {@link ThreadLocalRandom}. */
  public static Backoff jittered() {
    return new Backoff(() -> ThreadLocalRandom.current().nextDouble());
  }

  /** {@code delay} spread over {@code [0.8, 1.2)} times itself. */
  public Duration spread(Duration delay) {
    double factor = 0.8 + 0.4 * random.getAsDouble();
    return Duration.ofNanos((long) (delay.toNanos() * factor));
  }

  /**
   * After {@code failures} failures in a row: {@code floor} doubled per failure (at most 64 times),
   * never above {@code cap}, then spread.
   */
  public Duration exponential(int failures, Duration floor, Duration cap) {
    long grown = floor.toMillis() << Math.min(Math.max(failures, 0), 6);
    return spread(Duration.ofMillis(Math.min(grown, cap.toMillis())));
  }
}
