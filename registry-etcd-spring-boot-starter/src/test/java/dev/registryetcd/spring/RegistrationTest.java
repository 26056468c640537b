package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.spring.registration.EtcdAutoServiceRegistration;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * One Spring Boot web application on a random port registers itself, stays registered through a
 * lost lease, and deregisters when it stops: before its web server stops taking requests. Each test
 * starts and stops its own application.
 */
class RegistrationTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static Client client;
  private ConfigurableApplicationContext app;
  private int port;
  private String key;

  @BeforeAll
  static void connect() {
    client = EtcdClients.newClient(etcd.clientEndpoints());
    ShutdownProbe.client = client;
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  /** Each test its own application, so that none depends on what another left behind. */
  @BeforeEach
  void startApplication() {
    ShutdownProbe.stopped = false;
    ShutdownProbe.keyPresentWhenProbed = true;
    ShutdownProbe.answerWhenProbed = null;
    app =
        TestApp.start(
            List.of(ShutdownProbe.Config.class),
            "spring.application.name=spring-echo",
            "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
            "registry.etcd.instance.weight=7",
            "registry.etcd.instance.tags.zone=b",
            "registry.etcd.instance.tags.lang=java",
            "registry.etcd.lease-ttl=5s",
            "registry.etcd.retry.retry-delay=200ms",
            "registry.etcd.retry.observe-delay=1s");
    port = TestApp.port(app);
    key = "kitex/registry-etcd/spring-echo/127.0.0.1:" + port;
    ShutdownProbe.key = key;
    ShutdownProbe.url = "http://127.0.0.1:" + port + "/hello";
  }

  @AfterEach
  void stopApplication() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void registersTheWebServersRealPortUnderTheApplicationNameInGoFormat() throws Exception {
    byte[] expected =
        InstanceCodec.encode(
            new Instance("tcp", "127.0.0.1:" + port, 7, Map.of("lang", "java", "zone", "b")));

    assertThat(port).isPositive();
    assertThat(new String(valueOf(key), UTF_8))
        .isEqualTo(new String(expected, UTF_8))
        .isEqualTo(
            "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                + port
                + "\",\"weight\":7,\"tags\":{\"lang\":\"java\",\"zone\":\"b\"}}");
    assertThat(app.getBean(EtcdAutoServiceRegistration.class).registration().getUri())
        .hasToString("http://127.0.0.1:" + port);
  }

  @Test
  void healthIsUpWithTheRegistrationsAndTheLease() {
    EtcdHealth health = EtcdHealth.of(app);

    assertThat(health.status()).isEqualTo("UP");
    assertThat(health.details())
        .containsEntry("registrations", 1)
        .containsEntry("leaseAlive", true)
        .containsEntry("leaseId", Long.toHexString(app.getBean(EtcdRegistry.class).leaseId()))
        .doesNotContainKey("problem");
  }

  @Test
  void aRevokedLeaseIsRecoveredAndTheMetricsCountIt() throws Exception {
    MeterRegistry meters = app.getBean(MeterRegistry.class);
    EtcdRegistry registry = app.getBean(EtcdRegistry.class);
    double recoveriesBefore =
        meters.get("registry.etcd.lease.recoveries").functionCounter().count();
    long lease = registry.leaseId();

    client.getLeaseClient().revoke(lease).get(10, TimeUnit.SECONDS);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(meters.get("registry.etcd.lease.recoveries").functionCounter().count())
                  .isGreaterThan(recoveriesBefore);
              assertThat(registry.leaseId()).isNotIn(0L, lease);
              assertThat(valueOf(key)).isNotNull();
            });
    assertThat(meters.get("registry.etcd.registrations").gauge().value()).isEqualTo(1.0);
  }

  @Test
  void closingDeregistersBeforeTheWebServerStopsTakingRequests() throws Exception {
    app.close();
    app = null;

    assertThat(ShutdownProbe.stopped)
        .as("the probe ran between deregistration and graceful shutdown")
        .isTrue();
    assertThat(ShutdownProbe.keyPresentWhenProbed)
        .as("key in etcd when the probe stopped")
        .isFalse();
    assertThat(ShutdownProbe.answerWhenProbed)
        .as("answer of /hello when the probe stopped")
        .isEqualTo(Integer.toString(port));
    assertThat(valueOf(key)).isNull();
  }

  private static byte[] valueOf(String key) throws Exception {
    List<KeyValue> kvs =
        client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(10, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().getBytes();
  }

  /**
   * Stops between the registration (which stops first) and Boot's graceful shutdown, and records
   * what a caller would see then: no key in etcd, and a web server that still answers.
   */
  static final class ShutdownProbe implements SmartLifecycle {
    static volatile Client client;
    static volatile String key;
    static volatile String url;
    static volatile boolean stopped;
    static volatile boolean keyPresentWhenProbed = true;
    static volatile String answerWhenProbed;
    private volatile boolean running;

    @Override
    public void start() {
      running = true;
    }

    @Override
    public void stop() {
      running = false;
      try {
        keyPresentWhenProbed = valueOf(key) != null;
        answerWhenProbed = RestClient.create().get().uri(url).retrieve().body(String.class);
      } catch (Exception e) {
        answerWhenProbed = "failed: " + e;
      }
      stopped = true;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public int getPhase() {
      // between EtcdAutoServiceRegistration.PHASE and WebServerGracefulShutdownLifecycle's
      // DEFAULT_PHASE - 1024
      return SmartLifecycle.DEFAULT_PHASE - 768;
    }

    @Configuration(proxyBeanMethods = false)
    static class Config {
      @Bean
      ShutdownProbe shutdownProbe() {
        return new ShutdownProbe();
      }
    }
  }
}
