/**
 * The Java form of Kitex's registry API: {@link dev.registryetcd.registry.Registry}, the {@link
 * dev.registryetcd.registry.Info} an instance registers, and {@link
 * dev.registryetcd.registry.RegistryException}.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.registry;
