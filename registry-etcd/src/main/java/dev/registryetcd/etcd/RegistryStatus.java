package dev.registryetcd.etcd;

/**
 * What an {@link EtcdRegistry} holds right now, for health checks and tools. Read without waiting
 * for etcd.
 *
 * @param registrations the instances the registry holds, out of service ones included
 * @param leaseId the lease its keys are attached to, or 0 when it holds none
 * @param leaseAlive whether it holds a lease that is not being recovered (false before the first
 *     registration)
 * @param leaseRecoveries how many times it has granted a new lease and put everything back
 * @param keepAliveFailures how many times the keep-alive of its lease failed
 * @param problem why the registrations are not all in etcd right now, or {@code null}; after {@link
 *     EtcdRegistry#close()}, which keys it could not remove (they expire with the lease)
 * @param closed whether {@link EtcdRegistry#close()} was called
 */
public record RegistryStatus(
    int registrations,
    long leaseId,
    boolean leaseAlive,
    long leaseRecoveries,
    long keepAliveFailures,
    String problem,
    boolean closed) {

  /** Whether every registration is in etcd as far as the registry knows. */
  public boolean healthy() {
    return !closed && problem == null && (registrations == 0 || leaseAlive);
  }
}
