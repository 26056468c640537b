/**
 * The Java form of Kitex's discovery API: {@link dev.registryetcd.discovery.Resolver}, the {@link
 * dev.registryetcd.discovery.Result} and {@link dev.registryetcd.discovery.Instance}s it finds, and
 * the {@link dev.registryetcd.discovery.Change}s subscribers receive.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.discovery;
