/**
 * The value stored under an instance key, byte for byte the Go extension's JSON: {@link
 * dev.registryetcd.codec.InstanceCodec} reads and writes {@link
 * dev.registryetcd.discovery.Instance}.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.codec;
