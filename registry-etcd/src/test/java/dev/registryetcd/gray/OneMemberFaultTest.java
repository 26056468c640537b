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
 * Gray failures cost no registration: one member, leader or follower, that stops answering while
 * its port still accepts (frozen with SIGSTOP, or its client port blackholed by the test kit's
 * proxy), or that is cut off from its peers while clients still reach it. Three registries with a 3
 * s lease keep all six keys through 30 s of each fault, as etcd's own history shows afterwards.
 */
class OneMemberFaultTest {
  private static final String PREFIX = "kitex/registry-etcd/gray/";
  private static final Duration TTL = Duration.ofSeconds(3);
  private static final Duration FAULT = Duration.ofSeconds(30);

  @RegisterExtension
  final EtcdExtension etcd =
      EtcdExtension.of(
          EtcdCluster.builder()
              .members(3)
              .networkFaults()
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
    // the observer reads history after the fault, straight from etcd, past the proxies
    observer =
        Client.builder()
            .endpoints(
                etcd.cluster().members().stream()
                    .map(EtcdMember::directClientEndpoint)
                    .toArray(String[]::new))
            .build();
  }

  @AfterEach
  void closeAll() {
    registries.forEach(EtcdRegistry::close);
    observer.close();
  }

  @Test
  void aFrozenFollowerCostsNoRegistration() throws Exception {
    EtcdMember follower = etcd.cluster().followers().get(0);
    noKeyIsDeletedWhile("follower frozen", follower::freeze, follower::thaw);
  }

  @Test
  void aFrozenLeaderCostsNoRegistration() throws Exception {
    EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    noKeyIsDeletedWhile("leader frozen", leader::freeze, leader::thaw);
  }

  @Test
  void aFollowerWhoseClientPortAnswersNothingCostsNoRegistration() throws Exception {
    EtcdMember follower = etcd.cluster().followers().get(0);
    noKeyIsDeletedWhile(
        "follower's client port blackholed",
        () -> follower.clientProxy().blackhole(),
        () -> follower.clientProxy().heal());
  }

  @Test
  void aLeaderWhoseClientPortAnswersNothingCostsNoRegistration() throws Exception {
    EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    noKeyIsDeletedWhile(
        "leader's client port blackholed",
        () -> leader.clientProxy().blackhole(),
        () -> leader.clientProxy().heal());
  }

  @Test
  void aFollowerCutOffFromItsPeersCostsNoRegistration() throws Exception {
    EtcdMember follower = etcd.cluster().followers().get(0);
    noKeyIsDeletedWhile(
        "follower isolated from peers", follower::isolateFromPeers, follower::healPeers);
  }

  @Test
  void aLeaderCutOffFromItsPeersCostsNoRegistration() throws Exception {
    EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    noKeyIsDeletedWhile("leader isolated from peers", leader::isolateFromPeers, leader::healPeers);
  }

  private void noKeyIsDeletedWhile(String fault, Runnable start, Runnable end) throws Exception {
    KeyHistory history = KeyHistory.startingNow(observer, PREFIX);

    start.run();
    try {
      await()
          .pollDelay(FAULT)
          .atMost(FAULT.plusSeconds(1))
          .until(() -> registries.stream().allMatch(r -> r.status().registrations() == 2));
    } finally {
      end.run();
    }

    List<KeyHistory.Event> deletions =
        history.untilNow().stream().filter(e -> e.type() == WatchEvent.EventType.DELETE).toList();
    assertThat(deletions).as("keys deleted while the %s", fault).isEmpty();
    assertThat(registries).allSatisfy(r -> assertThat(r.status().healthy()).isTrue());
  }
}
