/**
 * gRPC-Java on registry-etcd: the {@code etcd:} name resolver ({@link
 * dev.registryetcd.grpc.EtcdNameResolverProvider}), the weighted round-robin policy ({@link
 * dev.registryetcd.grpc.EtcdWeightedRoundRobinLoadBalancerProvider}), the address attributes they
 * share, and {@link dev.registryetcd.grpc.GrpcRegistration} for a running server.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.grpc;
