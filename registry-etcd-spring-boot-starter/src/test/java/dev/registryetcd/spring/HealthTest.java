package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
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
      HealthIndicator indicator = app.getBean("etcdHealthIndicator", HealthIndicator.class);
      assertThat(app.getBean(DiscoveryClient.class).getInstances("spring-health"))
          .hasSize(1); // now cached
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

      etcd.member(0).stop();

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                Health health = indicator.health();
                assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                assertThat((String) health.getDetails().get("problem")).contains("etcd");
                assertThat(health.getDetails().get("failingServices"))
                    .asString()
                    .isEqualTo("[spring-health]");
              });
      assertThat(indicator.health().getDetails()).containsEntry("registrations", 1);

      etcd.member(0).restart();

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                Health health = indicator.health();
                assertThat(health.getStatus()).isEqualTo(Status.UP);
                assertThat(health.getDetails())
                    .containsEntry("leaseAlive", true)
                    .doesNotContainKey("problem");
              });
    }
  }
}
