package dev.registryetcd.spring.discovery;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

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
  static final String SOURCE_NAME = "registryEtcdLoadBalancerDefaults";
  static final String CACHE_ENABLED = "spring.cloud.loadbalancer.cache.enabled";
  static final String BUILDER_LOG_LEVEL =
      "logging.level.org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplierBuilder";
  static final String LATENCY_METER = "management.metrics.enable.registry.etcd.listener.latency";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    if (!environment.getProperty("registry.etcd.enabled", Boolean.class, true)
        || environment.getPropertySources().contains(SOURCE_NAME)) {
      return;
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    defaults.put(LATENCY_METER, "false");
    if (environment.getProperty("registry.etcd.discovery.enabled", Boolean.class, true)) {
      defaults.put(CACHE_ENABLED, "false");
      if (environment.getProperty(CACHE_ENABLED) == null) {
        // only "LoadBalancerCacheManager not available, returning delegate without caching"
        defaults.put(BUILDER_LOG_LEVEL, "ERROR");
      }
    }
    environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, defaults));
  }
}
