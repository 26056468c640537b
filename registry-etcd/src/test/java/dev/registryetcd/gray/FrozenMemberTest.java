package dev.registryetcd.gray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdExtension;
import dev.registryetcd.testkit.EtcdMember;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.watch.WatchEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One member that stops answering while its port still accepts (SIGSTOP: a stalled disk, a long
 * pause) costs no registration: with a 3 s lease, three registries keep every key through a 30 s
 * freeze of a follower or of the leader, as etcd's own history shows afterwards.
 */
class FrozenMemberTest {
  private static final String PREFIX = "kitex/registry-etcd/gray/";
  private static final Duration TTL = Duration.ofSeconds(3);
  private static final Duration FREEZE = Duration.ofSeconds(30);

  @RegisterExtension
  final EtcdExtension etcd =
      EtcdExtension.of(
          EtcdCluster.builder()
              .members(3)
              .heartbeatInterval(Duration.ofMillis(100))
              .electionTimeout(Duration.ofMillis(1000)));

  private final List<EtcdRegistry> registries = new ArrayList<>();
  private Client observer;

  @BeforeEach
  void registerSixInstancesFromThreeRegistries() {
    for (int r = 0; r < 3; r++) {
      EtcdRegistry registry =
          EtcdRegistry.newEtcdRegistryWithRetry(
              etcd.clientEndpointsAsHostPort(),
              RetryConfig.newRetryConfig(
                  RetryConfig.withRetryDelay(Duration.ofSeconds(10)),
                  RetryConfig.withObserveDelay(Duration.ofSeconds(30))),
              Option.withLeaseTtl(TTL));
      registries.add(registry);
      for (int i = 0; i < 2; i++) {
        registry.register(
            Info.builder()
                .serviceName("gray")
                .address(new InetSocketAddress("127.0.0.1", 1000 + r * 10 + i))
                .build());
      }
    }
    observer = Client.builder().endpoints(etcd.clientEndpoints().toArray(String[]::new)).build();
  }

  @AfterEach
  void closeAll() {
    registries.forEach(EtcdRegistry::close);
    observer.close();
  }

  @Test
  void aFollowerFrozenForThirtySecondsCostsNoRegistration() throws Exception {
    assertNoKeyIsDeletedWhileFrozen(etcd.cluster().followers().get(0));
  }

  @Test
  void theLeaderFrozenForThirtySecondsCostsNoRegistration() throws Exception {
    assertNoKeyIsDeletedWhileFrozen(etcd.cluster().awaitLeader(Duration.ofSeconds(10)));
  }

  private void assertNoKeyIsDeletedWhileFrozen(EtcdMember member) throws Exception {
    KeyHistory history = KeyHistory.startingNow(observer, PREFIX);

    member.freeze();
    try {
      await()
          .pollDelay(FREEZE)
          .atMost(FREEZE.plusSeconds(1))
          .until(() -> registries.stream().allMatch(r -> r.status().registrations() == 2));
    } finally {
      member.thaw();
    }

    List<KeyHistory.Event> deletions =
        history.untilNow().stream().filter(e -> e.type() == WatchEvent.EventType.DELETE).toList();
    assertThat(deletions).as("keys deleted during the freeze of %s", member.name()).isEmpty();
    assertThat(registries).allSatisfy(r -> assertThat(r.status().healthy()).isTrue());
  }
}
