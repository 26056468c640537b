/**
 * The {@code etcd} health indicator: etcd answering the registry and the resolver (as they last
 * heard it, without a request of its own), the lease and registrations held, every watched service
 * up to date.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.health;
