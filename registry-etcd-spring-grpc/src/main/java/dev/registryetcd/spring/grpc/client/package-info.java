/**
 * Spring gRPC channels to {@code etcd:///service}: resolved through the application's {@link
 * dev.registryetcd.etcd.EtcdResolver}, balanced by the registered weights.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.grpc.client;
