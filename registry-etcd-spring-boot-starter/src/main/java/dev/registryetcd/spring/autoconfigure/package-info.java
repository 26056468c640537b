/**
 * Spring Boot auto-configuration of registry-etcd: the {@code registry.etcd.*} properties, the
 * shared jetcd client, registry and resolver beans, and what turns on discovery, registration,
 * health and metrics.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.autoconfigure;
