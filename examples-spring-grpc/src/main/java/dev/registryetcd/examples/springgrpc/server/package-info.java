/**
 * The example Spring gRPC server that registers its gRPC port in etcd as {@code echo}.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.examples.springgrpc.server;
