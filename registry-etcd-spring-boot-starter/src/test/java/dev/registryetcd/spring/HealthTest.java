package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.junit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;

/** The {@code etcd} health indicator follows etcd going away and coming back. */
class HealthTest {
  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

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
              });
    }
  }
}
