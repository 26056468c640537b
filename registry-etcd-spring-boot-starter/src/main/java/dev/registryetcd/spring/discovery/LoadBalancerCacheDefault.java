package dev.registryetcd.spring.discovery;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns Spring Cloud LoadBalancer's instance cache off by default while etcd discovery is on.
 *
 * <p>The discovery client already answers from a watch-backed cache that follows etcd within
 * milliseconds; LoadBalancer's own cache (35 s by default) would only hold back what the watch
 * delivered, so a stopped instance would keep receiving calls. The default sits last among the
 * property sources: any {@code spring.cloud.loadbalancer.cache.enabled} the application sets wins.
 */
public final class LoadBalancerCacheDefault implements EnvironmentPostProcessor {
  static final String SOURCE_NAME = "registryEtcdLoadBalancerDefaults";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    boolean discovery =
        environment.getProperty("registry.etcd.enabled", Boolean.class, true)
            && environment.getProperty("registry.etcd.discovery.enabled", Boolean.class, true);
    if (discovery && !environment.getPropertySources().contains(SOURCE_NAME)) {
      environment
          .getPropertySources()
          .addLast(
              new MapPropertySource(
                  SOURCE_NAME, Map.of("spring.cloud.loadbalancer.cache.enabled", "false")));
    }
  }
}
