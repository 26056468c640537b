package dev.registryetcd.gray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.KeyHistory;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A lease the registry gave up because no keep-alive was answered within its TTL, while etcd still
 * holds it, is renewed and kept, not replaced: its keys never leave etcd.
 *
 * <p>A frozen leader with an election timeout as long as the TTL makes that happen every time:
 * until the next leader is elected, every keep-alive waits (a follower forwards it to the frozen
 * leader), so the registry gives its lease up; and the member elected extends every lease it
 * inherits by an election timeout, so etcd still holds it.
 */
class LeaseGivenUpTest {
  private static final String PREFIX = "kitex/registry-etcd/given-up/";
  private static final Duration TTL = Duration.ofSeconds(3);

  @RegisterExtension
  final EtcdExtension etcd =
      EtcdExtension.of(
          EtcdCluster.builder()
              .members(3)
              .heartbeatInterval(Duration.ofMillis(300))
              .electionTimeout(TTL));

  @Test
  void aLeaseGivenUpWhileTheLeaderIsFrozenIsRenewedAndKeepsItsKeysInEtcd() {
    EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    try (EtcdRegistry registry =
        EtcdRegistry.builder()
            .endpoints(etcd.clientEndpointsAsHostPort())
            .options(
                Option.withEtcdServicePrefix("kitex/registry-etcd/given-up"),
                Option.withLeaseTtl(TTL))
            .build()) {
      for (int port = 1; port <= 2; port++) {
        registry.register(
            Info.builder()
                .serviceName("svc")
                .address(new InetSocketAddress("127.0.0.1", port))
                .build());
      }
      long lease = registry.leaseId();
      KeyHistory history = KeyHistory.startingNow(etcd.cluster(), PREFIX);

      leader.freeze();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> registry.status().leaseRecoveries() >= 1 && registry.status().healthy());

        assertThat(registry.leaseId()).as("the lease held after recovery").isEqualTo(lease);
        List<KeyHistory.Event> deletions =
            history.untilNow().stream().filter(e -> e.type() == KeyHistory.Type.DELETE).toList();
        assertThat(deletions).as("keys deleted while the registry recovered").isEmpty();
      } finally {
        // not thawed: etcd before 3.4.31 lets a leader back from a pause revoke the leases it
        // believes expired (etcd-io/etcd#15247), which is etcd's fault and not the subject here
        leader.kill();
      }
    }
  }
}
