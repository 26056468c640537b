/**
 * Auto-configuration of registry-etcd for Spring gRPC: registration of the gRPC server, and {@code
 * etcd:///service} channels through the starter's resolver. Properties: {@link
 * dev.registryetcd.spring.grpc.autoconfigure.EtcdGrpcProperties}.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.grpc.autoconfigure;
