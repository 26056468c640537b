package dev.registryetcd.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.examples.spring.caller.EchoCallerApplication;
import dev.registryetcd.examples.spring.echo.EchoServiceApplication;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/**
 * Two echo services and the caller, against a test-kit etcd: calls through http://echo
 * (load-balanced) reach both.
 */
class EchoExamplesTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void theCallerReachesBothEchoServicesThroughLoadBalancedCalls() {
    String endpoints =
        "--registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort());
    String[] common = {
      endpoints,
      "--registry.etcd.instance.host=127.0.0.1",
      "--server.address=127.0.0.1",
      "--spring.main.banner-mode=off"
    };
    try (ConfigurableApplicationContext light =
            EchoServiceApplication.application()
                .run(with(common, "--registry.etcd.instance.weight=1"));
        ConfigurableApplicationContext heavy =
            EchoServiceApplication.application()
                .run(with(common, "--registry.etcd.instance.weight=3"));
        ConfigurableApplicationContext caller =
            EchoCallerApplication.application().run(with(common, "--server.port=0"))) {
      String lightPort = Integer.toString(port(light));
      String heavyPort = Integer.toString(port(heavy));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> caller.getBean(DiscoveryClient.class).getInstances("echo").size() == 2);

      Map<String, Integer> calls =
          RestClient.create("http://127.0.0.1:" + port(caller))
              .get()
              .uri("/call?n=40")
              .retrieve()
              .body(new ParameterizedTypeReference<Map<String, Integer>>() {});

      assertThat(calls).containsOnlyKeys(lightPort, heavyPort);
      assertThat(calls.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
      assertThat(calls.get(heavyPort)).as("calls %s", calls).isGreaterThan(calls.get(lightPort));
    }
  }

  private static String[] with(String[] common, String... more) {
    return java.util.stream.Stream.concat(List.of(common).stream(), List.of(more).stream())
        .toArray(String[]::new);
  }

  private static int port(ConfigurableApplicationContext context) {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }
}
