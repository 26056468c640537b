/**
 * The {@code etcd} health indicator: etcd reachable, the registry's lease and registrations held,
 * every watched service up to date.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.health;
