/**
 * {@link dev.registryetcd.events.EtcdEvents}, the observer that registries and resolvers tell about
 * their work with etcd, for metrics and tracing.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.events;
