package dev.registryetcd.examples.spring.caller;

import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cloud.client.loadbalancer.LoadBalanced;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot client of {@code echo}: {@code /call?n=20} calls {@code http://echo} n times
 * through a {@code @LoadBalanced} {@code RestClient} and answers how many calls each instance (by
 * port) served. The instances come from etcd, Spring and Kitex ones alike, balanced by their
 * registered weights ({@code echo-caller.properties} picks Spring Cloud LoadBalancer's weighted
 * configuration).
 */
@SpringBootApplication
@RestController
public class EchoCallerApplication {
  private final RestClient echo;

  EchoCallerApplication(RestClient.Builder loadBalanced) {
    this.echo = loadBalanced.baseUrl("http://echo").build();
  }

  /**
   * A builder whose clients resolve {@code http://service} through the discovery client (static:
   * the constructor needs it).
   */
  @Bean
  @LoadBalanced
  static RestClient.Builder loadBalancedRestClientBuilder() {
    return RestClient.builder();
  }

  @GetMapping("/call")
  Map<String, Integer> call(@RequestParam(name = "n", defaultValue = "10") int n) {
    Map<String, Integer> callsPerPort = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      Map<?, ?> answer = echo.get().uri("/echo?msg={msg}", "call-" + i).retrieve().body(Map.class);
      callsPerPort.merge(String.valueOf(answer.get("port")), 1, Integer::sum);
    }
    return callsPerPort;
  }

  /** The application, reading {@code echo-caller.properties}. */
  public static SpringApplication application() {
    return new SpringApplicationBuilder(EchoCallerApplication.class)
        .properties("spring.config.name=echo-caller")
        .build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
