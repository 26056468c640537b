package dev.registryetcd.etcd.internal.loop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Delays between retries, spread by ±20% so that many processes hit by one outage do not retry in
 * step.
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
}
