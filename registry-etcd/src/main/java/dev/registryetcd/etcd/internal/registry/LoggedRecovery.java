package dev.registryetcd.etcd.internal.registry;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log of a recovery: WARN for each failed attempt up to MaxAttemptTimes, ERROR once
 * when they are exhausted, INFO at recovery.
 */
public final class LoggedRecovery implements RecoveryLog {
  private static final Logger log = LoggerFactory.getLogger(LoggedRecovery.class);

  @Override
  public void lost(String reason, int registrations) {
    log.warn(
        "Lost the etcd registrations ({}); re-registering {} instance(s)", reason, registrations);
  }

  @Override
  public void attemptFailed(
      int attempt, int maxAttempts, RuntimeException failure, Duration retryIn) {
    if (attempt > maxAttempts && maxAttempts != 0) {
      return; // said once at exhaustion; the next attempts come every ObserveDelay
    }
    log.warn(
        "Re-registering in etcd failed (attempt {}{}): {}; retrying in {}",
        attempt,
        maxAttempts == 0 ? "" : " of " + maxAttempts,
        failure.getMessage(),
        retryIn);
  }

  @Override
  public void exhausted(int attempts, RuntimeException failure, Duration retryIn) {
    log.error(
        "Re-registering in etcd failed {} times in a row ({}); checking again every {}",
        attempts,
        failure.getMessage(),
        retryIn);
  }

  @Override
  public void recovered(int registrations, long leaseId, int failedAttempts, Duration outage) {
    log.info(
        "Re-registered {} instance(s) in etcd under lease {} after {} failed attempt(s)",
        registrations,
        Long.toHexString(leaseId),
        failedAttempts);
  }
}
