package dev.registryetcd.etcd;

import java.time.Duration;
import java.time.Instant;

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
 * @param lastContact when etcd last answered the registry (a keep-alive, a put, a delete, a read, a
 *     watch event, or the probe while it recovers), on the system clock ({@link
 *     java.time.Clock#systemUTC()}: compare it with {@link Instant#now()}); {@code null} until etcd
 *     first answered
 * @param contactBound how long the registry may go without an answer while etcd works: one
 *     keep-alive interval (a third of the lease TTL) and two answer bounds (a keep-alive not
 *     answered in time and the one sent again through another member); {@code null} while it has
 *     nothing in etcd to keep (nothing registered, or closed). A {@code lastContact} older than
 *     this means etcd has stopped answering the registry.
 */
public record RegistryStatus(
    int registrations,
    long leaseId,
    boolean leaseAlive,
    long leaseRecoveries,
    long keepAliveFailures,
    String problem,
    boolean closed,
    Instant lastContact,
    Duration contactBound) {

  /** Whether every registration is in etcd as far as the registry knows. */
  public boolean healthy() {
    return !closed && problem == null && (registrations == 0 || leaseAlive);
  }
}
