package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.metrics.EtcdMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The library's Micrometer meters ({@code registry.etcd.*}) when the application has a {@link
 * MeterRegistry}. {@link EtcdMetrics} is a {@code MeterBinder}, so Boot binds it to every meter
 * registry; it is an {@code EtcdEvents} too, so {@link EtcdAutoConfiguration} hands it to the
 * registry and resolver builders.
 */
@AutoConfiguration(
    before = EtcdAutoConfiguration.class,
    afterName = {
      // Boot 4
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      // Boot 3
      "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public class EtcdMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public EtcdMetrics etcdMetrics() {
    return new EtcdMetrics();
  }

  /** Adds the registry and resolver beans to the gauges once every singleton exists. */
  @Bean
  public SmartInitializingSingleton etcdMetricsMonitoring(
      EtcdMetrics metrics,
      ObjectProvider<EtcdRegistry> registries,
      ObjectProvider<EtcdResolver> resolvers) {
    return () -> {
      registries.orderedStream().forEach(metrics::monitor);
      resolvers.orderedStream().forEach(metrics::monitor);
    };
  }
}
