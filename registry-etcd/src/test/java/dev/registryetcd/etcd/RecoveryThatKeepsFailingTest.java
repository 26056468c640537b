package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A recovery whose attempts keep failing for one registration keeps the others in etcd, and closing
 * the registry then removes them at once.
 *
 * <p>etcd refuses one registration for good: auth is on, and the registry's user may write only
 * under {@code kitex/registry-etcd/allowed/}. Its refused put makes the registry recover; every
 * attempt renews the lease, puts {@code allowed} back and fails on {@code denied}.
 */
class RecoveryThatKeepsFailingTest {
  private static final String USER = "allowed-only";
  private static final String PASSWORD = "allowed-Pa55word";
  private static final Duration TTL = Duration.ofSeconds(3);

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @BeforeAll
  static void enableAuthWithAUserAllowedOneService() {
    etcd.cluster().enableAuth(USER, PASSWORD, "kitex/registry-etcd/allowed/");
  }

  @Test
  void registrationsPutBackStayThroughFailedAttemptsAndLeaveWhenTheRegistryCloses() {
    Option auth = Option.withAuthOpt(USER, PASSWORD);
    EtcdRegistry registry =
        EtcdRegistry.builder()
            .endpoints(etcd.clientEndpointsAsHostPort())
            .options(auth, Option.withLeaseTtl(TTL))
            // attempts further apart than the TTL: only keep-alives hold the lease between them
            .retryConfig(
                RetryConfig.newRetryConfig(RetryConfig.withRetryDelay(TTL.multipliedBy(3))))
            .build();
    try (EtcdResolver resolver =
        EtcdResolver.newEtcdResolverWithAuth(etcd.clientEndpointsAsHostPort(), USER, PASSWORD)) {
      registry.register(at("allowed", 1));
      assertThat(resolver.resolve("allowed").instances()).hasSize(1);

      registry.registerEventually(at("denied", 2));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> String.valueOf(registry.status().problem()).contains("failed 1 time"));

      // two TTLs with attempts failing: allowed stays in etcd all along
      await()
          .during(TTL.multipliedBy(2))
          .atMost(TTL.multipliedBy(3))
          .until(
              () ->
                  resolver.instances("allowed").stream()
                      .map(Instance::address)
                      .toList()
                      .equals(List.of("127.0.0.1:1")));
      assertThat(registry.status().problem()).contains("re-registering failed");

      registry.close();
      // its lease revoked: gone well within a TTL
      await().atMost(TTL.dividedBy(2)).until(() -> resolver.instances("allowed").isEmpty());
    } finally {
      registry.close();
    }
  }

  private static Info at(String service, int port) {
    return Info.builder()
        .serviceName(service)
        .address(new InetSocketAddress("127.0.0.1", port))
        .build();
  }
}
