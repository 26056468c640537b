package dev.registryetcd.spring.discovery;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The starter's defaults that other libraries read from the environment; each sits last among the
 * property sources, so any setting of the application wins.
 *
 * <ul>
 *   <li>Spring Cloud LoadBalancer's instance cache is off while etcd discovery is on. The discovery
 *       client already answers from a watch-backed cache that follows etcd within milliseconds;
 *       LoadBalancer's own cache (35 s by default) would only hold back what the watch delivered,
 *       so a stopped instance would keep receiving calls. When this default is the one in effect,
 *       LoadBalancer's WARN that its cache manager is missing (once per called service) is turned
 *       off too: the starter chose it.
 *   <li>The meter {@code registry.etcd.listener.latency} is off: the discovery clients read the
 *       resolver's cache and call no listener, so it would always read 0. An application that
 *       subscribes to the {@code EtcdResolver} itself can set {@code
 *       management.metrics.enable.registry.etcd.listener.latency=true}.
 * </ul>
 */
public final class LoadBalancerCacheDefault implements EnvironmentPostProcessor {

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    LoadBalancerDefaults.addTo(environment);
  }
}
