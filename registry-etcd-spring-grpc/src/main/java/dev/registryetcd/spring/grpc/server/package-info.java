/**
 * Registration of a Spring gRPC server in etcd: its gRPC port, in the Kitex etcd extension's
 * format, from the moment it listens until just before it stops taking calls.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.grpc.server;
