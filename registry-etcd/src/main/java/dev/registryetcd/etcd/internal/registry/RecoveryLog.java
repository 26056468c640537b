package dev.registryetcd.etcd.internal.registry;

import java.time.Duration;

/**
 * What {@link LeaseRecovery} has to say, one method per kind of moment, so that the rule of which
 * moment is worth which level is tested without reading logs.
 */
public interface RecoveryLog {

  /** The lease is lost, or as good as lost (no keep-alive answered within its TTL). */
  void lost(String reason, int registrations);

  /** An attempt failed; the next one comes in {@code retryIn} or as soon as etcd answers. */
  void attemptFailed(int attempt, int maxAttempts, RuntimeException failure, Duration retryIn);

  /** The attempt that exhausts MaxAttemptTimes failed: said once per outage. */
  void exhausted(int attempts, RuntimeException failure, Duration retryIn);

  /**
   * Every registration is back, after {@code failedAttempts} failures and {@code outage}; on the
   * lease given up, which etcd still held, when {@code leaseKept}.
   */
  void recovered(
      int registrations, long leaseId, boolean leaseKept, int failedAttempts, Duration outage);
}
