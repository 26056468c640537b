package dev.registryetcd.examples.springgrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.examples.springgrpc.client.EchoGrpcCallerApplication;
import dev.registryetcd.examples.springgrpc.server.EchoGrpcServerApplication;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.client.RestClient;

/**
 * Two Echo gRPC servers and the caller, against a test-kit etcd: calls through etcd:///echo reach
 * both, by their weights.
 */
class EchoGrpcExamplesTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void theCallerReachesBothGrpcServersThroughEtcd() {
    String[] common = {
      "--registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
      "--registry.etcd.instance.host=127.0.0.1",
      "--server.address=127.0.0.1",
      "--spring.grpc.server.host=127.0.0.1",
      "--spring.main.banner-mode=off"
    };
    try (ConfigurableApplicationContext light =
            EchoGrpcServerApplication.application()
                .run(with(common, "--example.name=light", "--registry.etcd.instance.weight=1"));
        ConfigurableApplicationContext heavy =
            EchoGrpcServerApplication.application()
                .run(with(common, "--example.name=heavy", "--registry.etcd.instance.weight=3"));
        ConfigurableApplicationContext caller =
            EchoGrpcCallerApplication.application().run(with(common, "--server.port=0"))) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> caller.getBean(DiscoveryClient.class).getInstances("echo").size() == 2);
      RestClient http = RestClient.create("http://127.0.0.1:" + port(caller));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> calls(http, 8).size() == 2); // both connections READY

      Map<String, Integer> calls = calls(http, 40);

      assertThat(calls).containsOnlyKeys("light", "heavy");
      assertThat(calls.get("light")).as("calls %s", calls).isBetween(8, 12);
      assertThat(calls.get("heavy")).as("calls %s", calls).isBetween(28, 32);
    }
  }

  private static Map<String, Integer> calls(RestClient http, int n) {
    return http.get()
        .uri("/call?n=" + n)
        .retrieve()
        .body(new ParameterizedTypeReference<Map<String, Integer>>() {});
  }

  private static String[] with(String[] common, String... more) {
    return Stream.concat(List.of(common).stream(), List.of(more).stream()).toArray(String[]::new);
  }

  private static int port(ConfigurableApplicationContext context) {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }
}
