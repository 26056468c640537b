/**
 * The parts of {@link dev.registryetcd.etcd.EtcdResolver}: one service's cache, the catalog of
 * service names, a subscriber's delivery queue, and the guard that notices etcd's revision going
 * back. Each owns its state on the resolver's loop thread, as the resolver does.
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.etcd.internal.resolver;
