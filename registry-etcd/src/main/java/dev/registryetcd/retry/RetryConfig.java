package dev.registryetcd.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * How a registry keeps its registrations in etcd after losing them: the Java form of the Go
 * extension's {@code retry.Config}.
 *
 * <p>While all is well the registry checks its registrations every {@code observeDelay}. When it
 * finds them lost it re-registers at once, then every {@code retryDelay} until it succeeds, at most
 * {@code maxAttemptTimes} times in a row (0 = unlimited); past that it reports the failure once and
 * goes back to checking every {@code observeDelay}.
 *
 * <pre>{@code
 * RetryConfig retry = RetryConfig.newRetryConfig(
 *     RetryConfig.withMaxAttemptTimes(10),
 *     RetryConfig.withObserveDelay(Duration.ofSeconds(20)),
 *     RetryConfig.withRetryDelay(Duration.ofSeconds(5)));
 * }</pre>
 *
 * @param maxAttemptTimes attempts in a row before giving up for an observe period; 0 = unlimited
 * @param observeDelay time between two checks while registered
 * @param retryDelay time between two attempts to register again
 */
public record RetryConfig(int maxAttemptTimes, Duration observeDelay, Duration retryDelay) {

  /** Go's default: 5 attempts. */
  public static final int DEFAULT_MAX_ATTEMPT_TIMES = 5;

  /** Go's default: 30 s. */
  public static final Duration DEFAULT_OBSERVE_DELAY = Duration.ofSeconds(30);

  /** Go's default: 10 s. */
  public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(10);

  /** Validates: attempts {@code >= 0}, delays positive. */
  public RetryConfig {
    if (maxAttemptTimes < 0) {
      throw new IllegalArgumentException(
          "maxAttemptTimes must be >= 0 (0 = unlimited), not " + maxAttemptTimes);
    }
    requirePositive(observeDelay, "observeDelay");
    requirePositive(retryDelay, "retryDelay");
  }

  /** The configuration with Go's defaults changed by {@code options}, applied in order. */
  public static RetryConfig newRetryConfig(Option... options) {
    RetryConfig config =
        new RetryConfig(DEFAULT_MAX_ATTEMPT_TIMES, DEFAULT_OBSERVE_DELAY, DEFAULT_RETRY_DELAY);
    for (Option option : options) {
      config = Objects.requireNonNull(option, "option").apply(config);
    }
    return config;
  }

  /** Attempts in a row before giving up for an observe period; 0 means unlimited. */
  public static Option withMaxAttemptTimes(int maxAttemptTimes) {
    RetryConfig check =
        new RetryConfig(maxAttemptTimes, DEFAULT_OBSERVE_DELAY, DEFAULT_RETRY_DELAY);
    return config -> new RetryConfig(check.maxAttemptTimes, config.observeDelay, config.retryDelay);
  }

  /** Time between two checks of the registrations while all is well. */
  public static Option withObserveDelay(Duration observeDelay) {
    requirePositive(observeDelay, "observeDelay");
    return config -> new RetryConfig(config.maxAttemptTimes, observeDelay, config.retryDelay);
  }

  /** Time between two attempts to register again after a loss. */
  public static Option withRetryDelay(Duration retryDelay) {
    requirePositive(retryDelay, "retryDelay");
    return config -> new RetryConfig(config.maxAttemptTimes, config.observeDelay, retryDelay);
  }

  /** Whether {@code attempts} failed attempts in a row exhaust this configuration. */
  public boolean exhaustedBy(int attempts) {
    return maxAttemptTimes != 0 && attempts >= maxAttemptTimes;
  }

  private static void requirePositive(Duration delay, String name) {
    if (delay == null || delay.isZero() || delay.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, not " + delay);
    }
  }

  /** One change to a {@link RetryConfig}, made by the {@code with...} factories. */
  @FunctionalInterface
  public interface Option {
    RetryConfig apply(RetryConfig config);
  }
}
