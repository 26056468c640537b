package dev.registryetcd.spring.grpc.autoconfigure;

import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.grpc.EtcdNameResolverProvider;
import dev.registryetcd.spring.autoconfigure.EtcdAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdProperties;
import dev.registryetcd.spring.grpc.client.EtcdChannelBuilderCustomizer;
import io.grpc.ManagedChannelBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.client.VirtualTargets;

/**
 * Spring gRPC channels to {@code etcd:///service} (a channel's address, as {@code
 * spring.grpc.client.channels.echo.address=etcd:///echo}, or a target given to {@link
 * GrpcChannelFactory#createChannel}) resolve through the starter's {@link EtcdResolver} and balance
 * by the registered weights (see {@link EtcdChannelBuilderCustomizer}). Needs the resolver ({@code
 * registry.etcd.discovery.enabled}); {@code registry.etcd.grpc.client.enabled=false} switches it
 * off, and {@code etcd:} targets then go to gRPC's service-loaded provider, configured by {@code
 * ETCD_ENDPOINTS}, not by Spring's properties.
 */
@AutoConfiguration(after = EtcdAutoConfiguration.class)
@ConditionalOnClass({GrpcChannelFactory.class, EtcdNameResolverProvider.class})
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(
    name = EtcdGrpcProperties.PREFIX + ".client.enabled",
    matchIfMissing = true)
@ConditionalOnBean(EtcdResolver.class)
@EnableConfigurationProperties(EtcdGrpcProperties.class)
public class EtcdGrpcClientAutoConfiguration {
  /** After Spring gRPC's property customizer (order 0) and its compression ones (5, 10). */
  public static final int ORDER = 100;

  @Bean
  @Order(ORDER)
  @ConditionalOnMissingBean(EtcdChannelBuilderCustomizer.class)
  <T extends ManagedChannelBuilder<T>> EtcdChannelBuilderCustomizer<T> etcdChannelBuilderCustomizer(
      EtcdResolver etcdResolver, ObjectProvider<VirtualTargets> targets, EtcdGrpcProperties grpc) {
    return new EtcdChannelBuilderCustomizer<>(
        etcdResolver,
        targets.getIfUnique(() -> VirtualTargets.DEFAULT),
        grpc.client().defaultLoadBalancingPolicy());
  }
}
