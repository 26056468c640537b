package dev.registryetcd.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.KeyValues;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The simple server and the client end to end: real etcd, real gRPC servers and channels on
 * loopback.
 */
class SimpleServerAndClientTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static KeyValues keys;

  @BeforeAll
  static void openKeys() {
    keys = KeyValues.of(etcd.cluster());
  }

  @Test
  void clientCallsReachTheRegisteredServerAndCloseTakesItsKeyOutOfEtcd() throws Exception {
    RunningServer server = SimpleServer.start(endpoints(), ANY_PORT, "a");
    String key = EtcdKeys.keyOf(server.listenAddress());
    try {
      assertThat(keys.value(key))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                  + server.listenAddress().getPort()
                  + "\",\"weight\":10,\"tags\":null}");
      try (Client client = Client.connect(endpoints())) {
        for (int i = 0; i < 5; i++) {
          assertThat(client.echo("Hello " + i)).isEqualTo("a: Hello " + i);
        }
      }
    } finally {
      server.close();
    }

    assertThat(keys.value(key)).isNull();
    server.close(); // idempotent
  }

  @Test
  @SuppressWarnings("try") // b serves from the try's resources
  void clientSpreadsCallsOverEveryServerAndFollowsOneLeaving() throws Exception {
    RunningServer a = SimpleServer.start(endpoints(), ANY_PORT, "a");
    try (RunningServer b = SimpleServer.start(endpoints(), ANY_PORT, "b");
        Client client = Client.connect(endpoints())) {
      Set<String> seen = new HashSet<>();
      await()
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(5))
          .untilAsserted(
              () -> {
                seen.add(client.echo("Hello"));
                assertThat(seen).containsExactlyInAnyOrder("a: Hello", "b: Hello");
              });

      a.close();

      // Deregistered before it stopped: calls move to b without a failure on the way.
      for (int i = 0; i < 10; i++) {
        assertThat(client.echo("Hello")).isEqualTo("b: Hello");
      }
    } finally {
      a.close();
    }
  }

  @Test
  @SuppressWarnings("try") // the server serves from the try's resources
  void clientRunCallsAsOftenAsAskedAndReturnsZero() throws Exception {
    try (RunningServer server = SimpleServer.start(endpoints(), ANY_PORT, "a")) {
      assertThat(Client.run(endpoints(), 3, Duration.ofMillis(10))).isZero();
    }
  }

  @Test
  void clientRunReturnsOneAtTheFirstFailedCallAsGoLogFatal() throws Exception {
    // No server registered as Hello: the first call fails with UNAVAILABLE.
    assertThat(Client.run(endpoints(), 3, Duration.ofMillis(10))).isEqualTo(1);
  }

  private static List<String> endpoints() {
    return etcd.clientEndpointsAsHostPort();
  }
}
