/**
 * How a registry keeps its registrations in etcd after losing them: {@link
 * dev.registryetcd.retry.RetryConfig}, the Java form of the Go extension's {@code retry.Config}.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.retry;
