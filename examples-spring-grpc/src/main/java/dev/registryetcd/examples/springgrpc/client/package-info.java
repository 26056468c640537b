/**
 * The example Spring gRPC client that calls {@code echo} through {@code etcd:///echo}.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.examples.springgrpc.client;
