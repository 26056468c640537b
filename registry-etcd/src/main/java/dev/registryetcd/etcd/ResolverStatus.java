package dev.registryetcd.etcd;

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
 */
public record ResolverStatus(
    int cachedServices,
    int cachedInstances,
    Set<String> failingServices,
    boolean serviceNamesFailing,
    long watchRestarts,
    boolean closed) {

  public ResolverStatus {
    failingServices = Set.copyOf(failingServices);
  }

  /** Whether every cached service is watched and up to date as far as the resolver knows. */
  public boolean healthy() {
    return !closed && failingServices.isEmpty() && !serviceNamesFailing;
  }
}
