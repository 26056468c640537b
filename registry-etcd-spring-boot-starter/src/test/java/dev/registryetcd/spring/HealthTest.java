package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The {@code etcd} health indicator follows etcd going away and coming back, from what the registry
 * and the resolver last heard of etcd: a health call asks etcd nothing.
 */
class HealthTest {
  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void healthGoesDownWhileEtcdIsAwayNamingWhyAndUpWhenEverythingIsBack() {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=spring-health",
            "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
            "registry.etcd.dial-timeout=1s",
            "registry.etcd.lease-ttl=2s",
            "registry.etcd.retry.retry-delay=300ms",
            "registry.etcd.retry.max-attempt-times=0")) {
      assertThat(app.getBean(DiscoveryClient.class).getInstances("spring-health"))
          .hasSize(1); // now cached
      assertThat(EtcdHealth.of(app).status()).isEqualTo("UP");

      etcd.member(0).stop();

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                EtcdHealth health = EtcdHealth.of(app);
                assertThat(health.status()).isEqualTo("DOWN");
                assertThat((String) health.details().get("problem")).contains("etcd");
                assertThat(health.details().get("failingServices"))
                    .asString()
                    .isEqualTo("[spring-health]");
              });
      // The resolver hears etcd each second while it watches: silent past 3.5 s.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat((String) EtcdHealth.of(app).details().get("problem"))
                      .startsWith("etcd has not answered for "));
      assertThat(EtcdHealth.of(app).details()).containsEntry("registrations", 1);

      etcd.member(0).restart();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                EtcdHealth health = EtcdHealth.of(app);
                assertThat(health.status()).isEqualTo("UP");
                assertThat(health.details())
                    .containsEntry("leaseAlive", true)
                    .doesNotContainKey("problem");
                assertThat((String) health.details().get("lastContact"))
                    .matches("[0-3]\\.\\ds ago");
              });
    }
  }

  @Test
  void aHealthCallAsksEtcdNothing() throws Exception {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=spring-health-quiet",
            "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()))) {
      assertThat(app.getBean(DiscoveryClient.class).getInstances("spring-health-quiet"))
          .hasSize(1); // the resolver watches, and so reads etcd's revision each second
      await().atMost(Duration.ofSeconds(5)).until(() -> EtcdHealth.of(app).status().equals("UP"));

      int calls = 500;
      long rangesBefore = rangesServed(etcd.member(0));
      long started = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        assertThat(EtcdHealth.of(app).status()).isEqualTo("UP");
      }
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      long ranges = rangesServed(etcd.member(0)) - rangesBefore;

      // What the components read meanwhile themselves: the resolver's revision check each second
      // (and once more at once should one fail); the registry reads nothing else in that time.
      long ownReads = 2 * (took.toSeconds() + 2);
      assertThat(ranges)
          .as("Range requests etcd served during %s health calls in %s", calls, took)
          .isLessThanOrEqualTo(ownReads);
    }
  }

  /** How many Range requests {@code member} has served, from its own {@code /metrics}. */
  private long rangesServed(EtcdMember member) throws IOException, InterruptedException {
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(member.directClientEndpoint() + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return metrics
        .body()
        .lines()
        .filter(line -> line.startsWith("grpc_server_handled_total{"))
        .filter(line -> line.contains("grpc_method=\"Range\""))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
