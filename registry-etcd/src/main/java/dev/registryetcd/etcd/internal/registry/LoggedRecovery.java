package dev.registryetcd.etcd.internal.registry;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's log of a recovery: ERROR once, when the first attempt fails (from then on, the
 * outage costs registrations), WARN for every later failed attempt (none goes unlogged), INFO at
 * recovery with how long the registrations were out of etcd.
 */
public final class LoggedRecovery implements RecoveryLog {
  private static final Logger log = LoggerFactory.getLogger(LoggedRecovery.class);

  @Override
  public void lost(String reason, int registrations) {
    log.warn(
        "Putting the etcd registrations back ({}): {} instance(s), on the lease given up if etcd"
            + " still holds it, else on a new one",
        reason,
        registrations);
  }

  @Override
  public void attemptFailed(
      int attempt, int maxAttempts, RuntimeException failure, Duration retryIn) {
    String of = maxAttempts == 0 ? "" : " of " + maxAttempts;
    if (attempt == 1) {
      log.error(
          "Registrations are out of etcd: re-registering failed (attempt 1{}): {}; retrying in {}"
              + " or as soon as etcd answers",
          of,
          failure.getMessage(),
          retryIn);
    } else {
      log.warn(
          "Re-registering in etcd failed (attempt {}{}): {}; retrying in {} or as soon as etcd"
              + " answers",
          attempt,
          of,
          failure.getMessage(),
          retryIn);
    }
  }

  @Override
  public void exhausted(int attempts, RuntimeException failure, Duration retryIn) {
    String text =
        "Re-registering in etcd failed {} times in a row ({}); trying again every {} and as soon as"
            + " etcd answers";
    if (attempts == 1) {
      log.error(text, attempts, failure.getMessage(), retryIn);
    } else {
      log.warn(text, attempts, failure.getMessage(), retryIn);
    }
  }

  @Override
  public void recovered(
      int registrations, long leaseId, boolean leaseKept, int failedAttempts, Duration outage) {
    if (leaseKept) {
      log.info(
          "Re-registered {} instance(s) in etcd on lease {}, which etcd still held, so they never"
              + " left etcd; after {} failed attempt(s), {} after the loss",
          registrations,
          Long.toHexString(leaseId),
          failedAttempts,
          outage);
      return;
    }
    log.info(
        "Re-registered {} instance(s) in etcd under lease {} after {} failed attempt(s); they were"
            + " out of etcd for {}",
        registrations,
        Long.toHexString(leaseId),
        failedAttempts,
        outage);
  }
}
