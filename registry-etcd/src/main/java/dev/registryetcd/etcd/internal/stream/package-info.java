/**
 * Every etcd watch of a process on one gRPC Watch stream per jetcd client ({@link
 * dev.registryetcd.etcd.internal.stream.WatchStream}, shared through {@link
 * dev.registryetcd.etcd.internal.stream.WatchStreams}), and the {@link
 * dev.registryetcd.etcd.internal.watch.RangeSource} on it that the resolver, the registry and the
 * CLI use ({@link dev.registryetcd.etcd.internal.stream.StreamRangeSource}).
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.etcd.internal.stream;
