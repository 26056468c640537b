package dev.registryetcd.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.InvalidInfoException;
import dev.registryetcd.registry.Registry;
import dev.registryetcd.testkit.KeyValues;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GrpcRegistrationTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static KeyValues keys;
  private EtcdRegistry registry;
  private EchoServer echo;

  @BeforeAll
  static void openKeys() {
    keys = KeyValues.of(etcd.cluster());
  }

  @BeforeEach
  void start() {
    registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());
    echo = EchoServer.start("echo");
  }

  @AfterEach
  void stop() {
    echo.close();
    registry.close();
  }

  @Test
  void registeredServerAppearsInEtcdAndCloseRemovesItAndStopsTheServer() throws Exception {
    GrpcRegistration registration =
        GrpcRegistration.register(echo.server(), registry, "echo-reg", 7, Map.of("zone", "b"));

    String value = valueOf(key("echo-reg", echo.address()));
    assertThat(value)
        .isEqualTo(
            "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                + echo.address().getPort()
                + "\",\"weight\":7,\"tags\":{\"zone\":\"b\"}}");

    registration.close();

    assertThat(valueOf(key("echo-reg", echo.address()))).isNull();
    assertThat(echo.server().isTerminated()).isTrue();
    registration.close(); // idempotent
  }

  @Test
  void aWeightBeyondJavaIntIsRegisteredWholeAsGoWritesIt() throws Exception {
    try (GrpcRegistration registration =
        GrpcRegistration.register(echo.server(), registry, "echo-heavy", 1L << 40, null)) {
      assertThat(valueOf(key("echo-heavy", echo.address())))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                  + echo.address().getPort()
                  + "\",\"weight\":1099511627776,\"tags\":null}");
    }
  }

  @Test
  void closeDeregistersBeforeTheServerStopsTakingCalls() {
    List<Boolean> shutDownWhenDeregistered = new CopyOnWriteArrayList<>();
    Registry recording =
        new Registry() {
          @Override
          public void register(Info info) {
            registry.register(info);
          }

          @Override
          public void deregister(Info info) {
            shutDownWhenDeregistered.add(echo.server().isShutdown());
            registry.deregister(info);
          }

          @Override
          public void close() {}
        };

    GrpcRegistration.register(echo.server(), recording, "echo-order", 10, null).close();

    assertThat(shutDownWhenDeregistered).containsExactly(false);
    assertThat(echo.server().isTerminated()).isTrue();
  }

  @Test
  void serverThatTerminatesOnItsOwnIsDeregistered() throws Exception {
    GrpcRegistration.register(echo.server(), registry, "echo-self", 10, null);
    assertThat(valueOf(key("echo-self", echo.address()))).isNotNull();

    echo.server().shutdownNow();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> valueOf(key("echo-self", echo.address())) == null);
  }

  @Test
  void serverThatIsNotStartedIsRefused() {
    Server unstarted =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .build();

    assertThatThrownBy(
            () -> GrpcRegistration.register(unstarted, registry, "echo-unstarted", 10, null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("server.start()");
  }

  @Test
  void badServiceNameIsRefusedBeforeAnythingIsWritten() throws Exception {
    assertThatThrownBy(() -> GrpcRegistration.register(echo.server(), registry, "a/b", 10, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/'")
        .isInstanceOfSatisfying(
            InvalidInfoException.class,
            e -> assertThat(e.field()).isEqualTo(InvalidInfoException.Field.SERVICE_NAME));
    assertThat(echo.server().isShutdown()).isFalse();
  }

  private static String key(String service, InetSocketAddress address) {
    return "kitex/registry-etcd/" + service + "/127.0.0.1:" + address.getPort();
  }

  private static String valueOf(String key) {
    return keys.value(key);
  }
}
