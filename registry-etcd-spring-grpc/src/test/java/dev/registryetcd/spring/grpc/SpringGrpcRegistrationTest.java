package dev.registryetcd.spring.grpc;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.spring.autoconfigure.InvalidEtcdPropertyException;
import dev.registryetcd.spring.registration.EtcdAutoServiceRegistration;
import dev.registryetcd.spring.registration.EtcdRegistration;
import dev.registryetcd.spring.registration.EtcdRegistrationException;
import dev.registryetcd.spring.registration.EtcdServiceRegistry;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;

/**
 * Real Spring gRPC servers register their gRPC ports in a real etcd, and a real Spring gRPC client
 * reaches them through {@code etcd:///echo}, balanced by weight; a server that stops leaves etcd
 * before its gRPC server stops taking calls, and no call fails.
 */
class SpringGrpcRegistrationTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final String PREFIX = "kitex/registry-etcd/echo/";
  private static Client raw;
  private final List<ConfigurableApplicationContext> apps = new ArrayList<>();

  @BeforeAll
  static void connect() {
    raw = EtcdClients.newClient(etcd.clientEndpoints());
  }

  @AfterAll
  static void disconnect() {
    raw.close();
  }

  @AfterEach
  void closeApplications() {
    for (int i = apps.size() - 1; i >= 0; i--) {
      apps.get(i).close();
    }
  }

  @Test
  void eachServerRegistersItsGrpcPortInGoFormatAndNotItsWebPort() throws Exception {
    ConfigurableApplicationContext a = server("a", "registry.etcd.instance.tags.zone=b");
    ConfigurableApplicationContext b = server("b", "registry.etcd.instance.weight=3");
    int portA = EchoGrpcApps.grpcPort(a);
    int portB = EchoGrpcApps.grpcPort(b);

    assertThat(portA).isPositive().isNotEqualTo(webPort(a));
    assertThat(echoKeys())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                PREFIX + "127.0.0.1:" + portA,
                "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                    + portA
                    + "\",\"weight\":10,\"tags\":{\"zone\":\"b\"}}",
                PREFIX + "127.0.0.1:" + portB,
                "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                    + portB
                    + "\",\"weight\":3,\"tags\":null}"));
    assertThat(a.getBeansOfType(EtcdAutoServiceRegistration.class)).isEmpty();
    EtcdRegistration registration = a.getBean(EtcdRegistration.class);
    assertThat(registration.getPort()).isEqualTo(portA);
    assertThat(registration.getServiceId()).isEqualTo("echo");
  }

  @Test
  void healthIsUpWithTheGrpcRegistration() {
    ConfigurableApplicationContext a = server("a");

    Health health = a.getBean("etcdHealthIndicator", HealthIndicator.class).health();

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(health.getDetails())
        .containsEntry("registrations", 1)
        .containsEntry("leaseAlive", true);
  }

  @Test
  void theClientReachesBothServersThroughEtcdInProportionToTheirWeights() {
    server("a", "registry.etcd.instance.weight=1");
    server("b", "registry.etcd.instance.weight=3");
    ManagedChannel channel = channel();
    await().atMost(Duration.ofSeconds(10)).until(() -> answersOf(channel, 8).keySet().size() == 2);

    Map<String, Integer> answers = answersOf(channel, 40);

    // etcd_weighted_round_robin: 1 in 4 calls to a; Spring gRPC's default round_robin would split
    // them 20:20
    assertThat(answers).containsOnlyKeys("a", "b");
    assertThat(answers.get("a")).isBetween(8, 12);
    assertThat(answers.get("b")).isBetween(28, 32);
  }

  @Test
  void aStoppingServerLeavesEtcdBeforeItsGrpcServerStopsAndNoCallFails() throws Exception {
    ConfigurableApplicationContext a = server("a", List.of(ShutdownProbe.class));
    server("b");
    String keyA = PREFIX + "127.0.0.1:" + EchoGrpcApps.grpcPort(a);
    ManagedChannel channel = channel();
    await().atMost(Duration.ofSeconds(10)).until(() -> answersOf(channel, 8).keySet().size() == 2);

    AtomicBoolean calling = new AtomicBoolean(true);
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger made = new AtomicInteger();
    AtomicInteger afterStop = new AtomicInteger();
    AtomicBoolean stopped = new AtomicBoolean();
    Map<String, Integer> answeredAfterStop = new ConcurrentHashMap<>();
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      Future<?> calls =
          caller.submit(
              () -> {
                // bounded: at most 2,000 calls, 3 s each
                for (int i = 0; i < 2_000 && calling.get(); i++) {
                  try {
                    String answer = Echo.call(channel, "hi", Duration.ofSeconds(3));
                    made.incrementAndGet();
                    if (stopped.get()) {
                      answeredAfterStop.merge(answer.substring(0, 1), 1, Integer::sum);
                      afterStop.incrementAndGet();
                    }
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                  }
                }
              });
      await().atMost(Duration.ofSeconds(10)).until(() -> made.get() >= 50);
      a.close();
      stopped.set(true);
      assertThat(ShutdownProbe.keyPresentWhenTheServerBeganStopping).isFalse();
      assertThat(ShutdownProbe.serverShutDownWhenProbed).isFalse();
      assertThat(valueOf(keyA)).isNull();
      await().atMost(Duration.ofSeconds(10)).until(() -> afterStop.get() >= 50);
      calling.set(false);
      calls.get(10, TimeUnit.SECONDS);
    } finally {
      calling.set(false);
      caller.shutdownNow();
    }

    assertThat(failed).hasValue(0);
    assertThat(answeredAfterStop).containsOnlyKeys("b");
    assertThat(echoKeys()).hasSize(1);
  }

  @Test
  void outOfServiceTakesTheGrpcServerOutOfEtcdAndUpPutsItBack() throws Exception {
    ConfigurableApplicationContext a = server("a");
    String key = PREFIX + "127.0.0.1:" + EchoGrpcApps.grpcPort(a);
    EtcdServiceRegistry registry = a.getBean(EtcdServiceRegistry.class);
    EtcdRegistration registration = a.getBean(EtcdRegistration.class);

    registry.setStatus(registration, EtcdServiceRegistry.OUT_OF_SERVICE);
    assertThat(valueOf(key)).isNull();
    assertThat((String) registry.getStatus(registration)).isEqualTo("OUT_OF_SERVICE");

    registry.setStatus(registration, EtcdServiceRegistry.UP);
    assertThat(valueOf(key)).isNotNull();
  }

  @Test
  void withRegisterWebServerTheWebServerRegistersUnderItsOwnName() throws Exception {
    ConfigurableApplicationContext a =
        server(
            "a",
            "spring.application.name=echo-web",
            "registry.etcd.grpc.service-name=echo",
            "registry.etcd.grpc.register-web-server=true");

    assertThat(echoKeys()).containsOnlyKeys(PREFIX + "127.0.0.1:" + EchoGrpcApps.grpcPort(a));
    assertThat(valueOf("kitex/registry-etcd/echo-web/127.0.0.1:" + webPort(a))).isNotNull();
  }

  @Test
  void withRegisterWebServerTheSameServiceNameForBothStopsStartUp() {
    assertThatThrownBy(() -> server("a", "registry.etcd.grpc.register-web-server=true"))
        .hasRootCauseInstanceOf(InvalidEtcdPropertyException.class)
        .rootCause()
        .hasMessageContaining("registry.etcd.grpc.service-name")
        .hasMessageContaining("another service name");
  }

  @Test
  void aGrpcServerWithoutAWebServerRegistersItsGrpcPort() throws Exception {
    ConfigurableApplicationContext a = server("a", "spring.main.web-application-type=none");

    assertThat(echoKeys()).containsOnlyKeys(PREFIX + "127.0.0.1:" + EchoGrpcApps.grpcPort(a));
  }

  @Test
  void etcdAwayAtStartUpStopsTheServerNamingTheEndpoints() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort(); // nothing listens there once closed
    }
    String endpoint = "127.0.0.1:" + closed;

    assertThatThrownBy(
            () ->
                EchoGrpcApps.server(
                    "a",
                    List.of(endpoint),
                    List.of(),
                    "registry.etcd.dial-timeout=1s",
                    "spring.main.web-application-type=none"))
        .hasCauseInstanceOf(EtcdRegistrationException.class)
        .cause()
        .hasMessageContaining("cannot register echo/127.0.0.1:")
        .hasMessageContaining("in etcd at " + endpoint);
  }

  /** On the gRPC server's shutdown event, after ours: is the key still in etcd? */
  @Configuration(proxyBeanMethods = false)
  static class ShutdownProbe {
    static volatile Boolean keyPresentWhenTheServerBeganStopping;
    static volatile Boolean serverShutDownWhenProbed;

    @Bean
    ApplicationListener<GrpcServerShutdownEvent> probe() {
      return event -> {
        serverShutDownWhenProbed = event.getServer().isShutdown();
        String key = PREFIX + "127.0.0.1:" + event.getServer().getPort();
        try {
          keyPresentWhenTheServerBeganStopping = valueOf(key) != null;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      };
    }
  }

  private ConfigurableApplicationContext server(String name, String... properties) {
    return server(name, List.of(), properties);
  }

  private ConfigurableApplicationContext server(
      String name, List<Class<?>> sources, String... properties) {
    ConfigurableApplicationContext app =
        EchoGrpcApps.server(name, etcd.clientEndpointsAsHostPort(), sources, properties);
    apps.add(app);
    return app;
  }

  private ManagedChannel channel() {
    ConfigurableApplicationContext client = EchoGrpcApps.client(etcd.clientEndpointsAsHostPort());
    apps.add(client);
    return client.getBean(GrpcChannelFactory.class).createChannel("echo");
  }

  private static Map<String, Integer> answersOf(ManagedChannel channel, int calls) {
    Map<String, Integer> answers = new TreeMap<>();
    for (int i = 0; i < calls; i++) {
      String answer = Echo.call(channel, "hi", Duration.ofSeconds(3));
      answers.merge(answer.substring(0, answer.indexOf(':')), 1, Integer::sum);
    }
    return answers;
  }

  private static int webPort(ConfigurableApplicationContext app) {
    return ((WebServerApplicationContext) app).getWebServer().getPort();
  }

  private static Map<String, String> echoKeys() throws Exception {
    Map<String, String> keys = new TreeMap<>();
    for (KeyValue kv :
        raw.getKVClient()
            .get(ByteSequence.from(PREFIX, UTF_8), GetOption.builder().isPrefix(true).build())
            .get(5, TimeUnit.SECONDS)
            .getKvs()) {
      keys.put(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8));
    }
    return keys;
  }

  private static String valueOf(String key) throws Exception {
    List<KeyValue> kvs =
        raw.getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(UTF_8);
  }
}
