/**
 * The name resolver, the load balancer and its picker behind the providers of {@code
 * dev.registryetcd.grpc}.
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.grpc.internal;
