/**
 * {@link dev.registryetcd.metrics.EtcdMetrics}: Micrometer meters for registries and resolvers
 * (Micrometer is an optional dependency).
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.metrics;
