package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.spring.health.EtcdHealthIndicator;
import io.etcd.jetcd.Client;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code etcd} health indicator, with Spring Boot's health support on the class path. */
@AutoConfiguration(after = EtcdAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnEnabledHealthIndicator("etcd")
@ConditionalOnBean({Client.class, EtcdSettings.class})
public class EtcdHealthAutoConfiguration {

  /** Named so that the health endpoint shows it as {@code etcd}. */
  @Bean
  @ConditionalOnMissingBean(name = "etcdHealthIndicator")
  public EtcdHealthIndicator etcdHealthIndicator(
      Client etcdClient,
      EtcdSettings settings,
      ObjectProvider<EtcdRegistry> registry,
      ObjectProvider<EtcdResolver> resolver) {
    return new EtcdHealthIndicator(
        etcdClient,
        registry.getIfUnique(),
        resolver.getIfUnique(),
        settings.prefix(),
        settings.dialTimeout());
  }
}
