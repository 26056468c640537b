/**
 * The value stored under an instance key, byte for byte the Go extension's JSON: {@link
 * dev.registryetcd.codec.InstanceInfo} and {@link dev.registryetcd.codec.InstanceCodec}.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise. ({@link
 * dev.registryetcd.codec.InstanceInfo#tags()} is null when Go's value has none.)
 */
package dev.registryetcd.codec;
