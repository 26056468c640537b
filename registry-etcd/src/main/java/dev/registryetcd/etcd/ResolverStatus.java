package dev.registryetcd.etcd;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * What an {@link EtcdResolver} caches right now, for health checks and tools. Read without waiting
 * for etcd.
 *
 * @param cachedServices the services in its cache
 * @param cachedInstances the instances of all cached services
 * @param failingServices cached services it cannot confirm up to date right now: etcd cannot be
 *     read, their watch ended and is being read again, or it did not show etcd's revision within
 *     the liveness bound (see {@link EtcdResolver.Builder#watchLiveness}); it serves their last
 *     known instances and keeps trying
 * @param serviceNamesFailing the same for the list behind {@link EtcdResolver#services()}
 * @param watchRestarts how many times one of its watches ended and was started again
 * @param closed whether {@link EtcdResolver#close()} was called
 * @param lastContact when etcd last answered the resolver (a read, a watch event, or the read of
 *     etcd's revision it makes every liveness interval while it watches anything), on the system
 *     clock ({@link java.time.Clock#systemUTC()}: compare it with {@link Instant#now()}); {@code
 *     null} until etcd first answered
 * @param contactBound how long the resolver may go without an answer while etcd works: three
 *     liveness intervals and the liveness bound (see {@link EtcdResolver.Builder#watchLiveness});
 *     {@code null} while it watches nothing (nothing resolved, subscribed or listed, or closed), as
 *     it then asks etcd nothing. A {@code lastContact} older than this means etcd has stopped
 *     answering the resolver.
 */
public record ResolverStatus(
    int cachedServices,
    int cachedInstances,
    Set<String> failingServices,
    boolean serviceNamesFailing,
    long watchRestarts,
    boolean closed,
    Instant lastContact,
    Duration contactBound) {

  public ResolverStatus {
    failingServices = Set.copyOf(failingServices);
  }

  /** Whether every cached service is watched and up to date as far as the resolver knows. */
  public boolean healthy() {
    return !closed && failingServices.isEmpty() && !serviceNamesFailing;
  }
}
