package dev.registryetcd.spring.discovery;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The defaults {@link LoadBalancerCacheDefault} adds, apart from Boot's {@code
 * EnvironmentPostProcessor} interface (which Boot 4 moved to another package).
 */
final class LoadBalancerDefaults {
  static final String SOURCE_NAME = "registryEtcdLoadBalancerDefaults";
  static final String CACHE_ENABLED = "spring.cloud.loadbalancer.cache.enabled";
  static final String BUILDER_LOG_LEVEL =
      "logging.level.org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplierBuilder";
  static final String LATENCY_METER = "management.metrics.enable.registry.etcd.listener.latency";

  private LoadBalancerDefaults() {}

  /** Adds the defaults last among the property sources, once, unless etcd is switched off. */
  static void addTo(ConfigurableEnvironment environment) {
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
