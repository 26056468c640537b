package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.spring.registration.EtcdRegistration;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

/**
 * Spring Cloud's {@code /actuator/serviceregistry} on a real web server: it finds the application's
 * {@link Registration} bean, and {@code OUT_OF_SERVICE} takes the instance out of etcd, as a Go
 * resolver reads it, and out of every Java discovery client, until {@code UP}, through lease
 * recoveries and the registry's checks.
 */
class ServiceRegistryEndpointTest {
  private static final String PREFIX = "kitex/registry-etcd/status-echo/";

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @RegisterExtension static final EtcdKeys keys = new EtcdKeys(etcd);

  private ConfigurableApplicationContext app;
  private RestClient actuator;
  private String key;

  @BeforeEach
  void startApplication() {
    app =
        TestApp.start(
            List.of(),
            "spring.application.name=status-echo",
            keys.endpointsProperty(),
            "registry.etcd.lease-ttl=5s",
            "registry.etcd.retry.retry-delay=200ms",
            "registry.etcd.retry.observe-delay=500ms",
            "management.endpoints.web.exposure.include=serviceregistry,health");
    int port = TestApp.port(app);
    key = PREFIX + "127.0.0.1:" + port;
    actuator = RestClient.create("http://127.0.0.1:" + port + "/actuator/serviceregistry");
  }

  @AfterEach
  void stopApplication() {
    app.close();
  }

  @Test
  void theRegistrationIsABeanTheEndpointReports() {
    Registration registration = app.getBean(Registration.class);

    assertThat(registration).isInstanceOf(EtcdRegistration.class);
    assertThat(registration.getServiceId()).isEqualTo("status-echo");
    assertThat(registration.getPort()).isEqualTo(TestApp.port(app));
    assertThat(status()).isEqualTo("UP");
  }

  @Test
  void outOfServiceRemovesTheKeyForGoAndJavaCallersUntilUp() throws Exception {
    DiscoveryClient discovery = app.getBean(DiscoveryClient.class);
    assertThat(goRead()).containsOnlyKeys(key);
    assertThat(discovery.getInstances("status-echo")).hasSize(1);

    setStatus("OUT_OF_SERVICE");

    assertThat(goRead()).isEmpty();
    assertThat(status()).isEqualTo("OUT_OF_SERVICE");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> discovery.getInstances("status-echo").isEmpty());
    // a lost lease is recovered without it, and the checks (every 500 ms) leave it out
    EtcdRegistry registry = app.getBean(EtcdRegistry.class);
    long lost = registry.leaseId();
    keys.client().getLeaseClient().revoke(lost).get(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> registry.status().leaseRecoveries() > 0 && registry.status().healthy());
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(goRead()).isEmpty());
    assertThat(status()).isEqualTo("OUT_OF_SERVICE");

    setStatus("UP");

    assertThat(goRead())
        .containsOnlyKeys(key)
        .containsEntry(
            key,
            "{\"network\":\"tcp\",\"address\":\""
                + key.substring(PREFIX.length())
                + "\",\"weight\":10,\"tags\":null}");
    assertThat(status()).isEqualTo("UP");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> discovery.getInstances("status-echo").size() == 1);
  }

  private String status() {
    return actuator.get().retrieve().body(String.class);
  }

  private void setStatus(String status) {
    actuator
        .post()
        .contentType(MediaType.APPLICATION_JSON)
        .body("{\"status\":\"" + status + "\"}")
        .retrieve()
        .toBodilessEntity();
  }

  /** What a Go resolver reads: every key under the service's prefix, with its raw value. */
  private static Map<String, String> goRead() throws Exception {
    return keys.under(PREFIX);
  }
}
