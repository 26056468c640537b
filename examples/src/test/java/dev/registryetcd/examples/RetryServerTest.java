package dev.registryetcd.examples;

import static dev.registryetcd.retry.RetryConfig.withMaxAttemptTimes;
import static dev.registryetcd.retry.RetryConfig.withObserveDelay;
import static dev.registryetcd.retry.RetryConfig.withRetryDelay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.KeyValues;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.grpc.StatusRuntimeException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The retry server against an etcd that loses everything. */
class RetryServerTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);
  private static final Duration BOUND = Duration.ofSeconds(20);

  @Test
  void retryConfigIsTheGoExamples() {
    assertThat(RetryServer.RETRY_CONFIG)
        .isEqualTo(new RetryConfig(10, Duration.ofSeconds(20), Duration.ofSeconds(5)));
  }

  @Test
  void registrationComesBackAfterEtcdLosesAllItsData() throws Exception {
    // The Go example's shape with test-sized delays: a 20 s observe period would only slow the test
    // down.
    RetryConfig quick =
        RetryConfig.newRetryConfig(
            withMaxAttemptTimes(10),
            withObserveDelay(Duration.ofSeconds(1)),
            withRetryDelay(Duration.ofMillis(200)));
    KeyValues keys = KeyValues.of(etcd.cluster());
    try (RunningServer server = RetryServer.start(endpoints(), ANY_PORT, "r", quick)) {
      String key = EtcdKeys.keyOf(server.listenAddress());
      String value = keys.value(key);
      assertThat(value).isNotNull();
      long lease = server.registry().leaseId();

      etcd.member(0).wipe();

      await()
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(keys.value(key)).isEqualTo(value));
      assertThat(server.registry().leaseId()).as("a new lease in the new etcd").isNotEqualTo(lease);
      try (Client client = Client.connect(endpoints())) {
        await()
            .atMost(BOUND)
            .ignoreException(StatusRuntimeException.class)
            .until(() -> client.echo("Hello").equals("r: Hello"));
      }
    }
  }

  private static List<String> endpoints() {
    return etcd.clientEndpointsAsHostPort();
  }
}
