package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.spring.discovery.EtcdDiscoveryClient;
import dev.registryetcd.spring.discovery.EtcdReactiveDiscoveryClient;
import dev.registryetcd.spring.discovery.RefusingInstances;
import dev.registryetcd.spring.discovery.RefusingInstancesLifecycle;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.ConditionalOnBlockingDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnDiscoveryEnabled;
import org.springframework.cloud.client.ConditionalOnReactiveDiscoveryEnabled;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Cloud's {@code DiscoveryClient} and {@code ReactiveDiscoveryClient} on the {@link
 * EtcdResolver} bean, so load-balanced {@code http://service} calls and {@code DiscoveryClient}
 * users find Go and Java instances registered in etcd. Follows Spring Cloud's switches ({@code
 * spring.cloud.discovery.enabled}, {@code spring.cloud.discovery.blocking.enabled}, {@code
 * spring.cloud.discovery.reactive.enabled}).
 */
@AutoConfiguration(
    after = EtcdAutoConfiguration.class,
    beforeName = {
      "org.springframework.cloud.client.discovery.simple.SimpleDiscoveryClientAutoConfiguration",
      "org.springframework.cloud.client.discovery.simple.reactive.SimpleReactiveDiscoveryClientAutoConfiguration",
      "org.springframework.cloud.client.CommonsClientAutoConfiguration",
      "org.springframework.cloud.client.ReactiveCommonsClientAutoConfiguration"
    })
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnDiscoveryEnabled
@ConditionalOnBean(EtcdResolver.class)
public class EtcdDiscoveryAutoConfiguration {

  /** Unless {@code spring.cloud.discovery.blocking.enabled=false}. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBlockingDiscoveryEnabled
  static class Blocking {
    @Bean
    @ConditionalOnMissingBean
    public EtcdDiscoveryClient etcdDiscoveryClient(
        EtcdResolver resolver, ObjectProvider<RefusingInstances> refusing) {
      EtcdDiscoveryClient client = new EtcdDiscoveryClient(resolver);
      client.holdOut(refusing.getIfAvailable());
      return client;
    }
  }

  /** Only with Reactor on the class path. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "reactor.core.publisher.Flux")
  @ConditionalOnReactiveDiscoveryEnabled
  static class Reactive {
    @Bean
    @ConditionalOnMissingBean
    public EtcdReactiveDiscoveryClient etcdReactiveDiscoveryClient(
        EtcdResolver resolver, ObjectProvider<RefusingInstances> refusing) {
      EtcdDiscoveryClient client = new EtcdDiscoveryClient(resolver);
      client.holdOut(refusing.getIfAvailable());
      return new EtcdReactiveDiscoveryClient(client);
    }
  }

  /**
   * Instances that refuse connections are left out until they accept them again, unless {@code
   * registry.etcd.discovery.hold-out-refusing=false}: a caller loses at most the call that found a
   * killed instance, not a share of its calls until the instance's lease expires.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(
      name = EtcdProperties.PREFIX + ".discovery.hold-out-refusing",
      matchIfMissing = true)
  static class HoldOutRefusing {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public RefusingInstances etcdRefusingInstances(EtcdResolver resolver) {
      return new RefusingInstances(resolver);
    }

    @Bean
    @ConditionalOnMissingBean
    public RefusingInstancesLifecycle etcdRefusingInstancesLifecycle(RefusingInstances refusing) {
      return new RefusingInstancesLifecycle(refusing);
    }
  }
}
