package dev.registryetcd.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * The smallest Spring Boot web application with the starter: answers {@code /hello} with its port.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@RestController
public class TestApp {
  private final Environment environment;

  TestApp(Environment environment) {
    this.environment = environment;
  }

  @GetMapping("/hello")
  String hello() {
    return environment.getProperty("local.server.port");
  }

  /** For {@code http://service} calls through Spring Cloud LoadBalancer. */
  @Bean
  @LoadBalanced
  RestClient.Builder loadBalancedRestClientBuilder() {
    return RestClient.builder();
  }

  /** Starts {@code sources} (this app first) on a random port with the given properties. */
  static ConfigurableApplicationContext start(List<Class<?>> sources, String... properties) {
    List<Class<?>> all = new ArrayList<>(List.of(TestApp.class));
    all.addAll(sources);
    List<String> props =
        new ArrayList<>(
            List.of(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "registry.etcd.instance.host=127.0.0.1"));
    props.addAll(List.of(properties));
    return new SpringApplicationBuilder(all.toArray(Class<?>[]::new))
        .properties(props.toArray(String[]::new))
        .run();
  }

  /** The web server's port, as both Boot lines publish it. */
  static int port(ConfigurableApplicationContext context) {
    return context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
  }
}
