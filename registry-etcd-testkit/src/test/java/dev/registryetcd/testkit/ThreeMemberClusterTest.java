package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A fresh 3-member cluster for every test: leaders, elections, member faults. */
class ThreeMemberClusterTest {

  private static final Duration BOUND = Duration.ofSeconds(10);

  private EtcdCluster etcd;

  @BeforeEach
  void startCluster() {
    etcd = EtcdCluster.builder().members(3).start();
  }

  @AfterEach
  void closeCluster() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void leaderIsExactlyOneMemberAndKillingItElectsAnotherOne() throws Exception {
    assertThat(etcd.members()).hasSize(3);
    assertThat(etcd.clientEndpoints()).hasSize(3).doesNotHaveDuplicates();
    // An election can happen at any time on a loaded machine, so look for a stable view.
    AtomicReference<EtcdMember> found = new AtomicReference<>();
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              EtcdMember leader = etcd.leader();
              Set<String> reportedLeaders = new HashSet<>();
              List<EtcdMember> selfProclaimed = new ArrayList<>();
              for (EtcdMember m : etcd.members()) {
                String[] status = Gateway.status(m.clientEndpoint());
                reportedLeaders.add(status[1]);
                if (status[0].equals(status[1])) {
                  selfProclaimed.add(m);
                }
              }
              assertThat(selfProclaimed).containsExactly(leader);
              assertThat(reportedLeaders).hasSize(1);
              assertThat(etcd.followers()).hasSize(2).doesNotContain(leader);
              found.set(leader);
            });
    EtcdMember leader = found.get();
    List<EtcdMember> others = etcd.members().stream().filter(m -> m != leader).toList();

    leader.kill();
    EtcdMember newLeader = etcd.awaitLeader(BOUND);
    assertThat(newLeader).isNotSameAs(leader).isIn(others);

    leader.restart();
    assertThat(leader.isRunning()).isTrue();
    etcd.awaitHealthy(BOUND);
    assertThat(Gateway.memberNames(newLeader.clientEndpoint()))
        .containsExactlyInAnyOrder("etcd-0", "etcd-1", "etcd-2");
  }

  @Test
  void stoppingTwoMembersLeavesTheThirdUnhealthyAndRestartingThemRestoresHealth() {
    EtcdMember survivor = etcd.member(0);
    etcd.member(1).stop();
    etcd.member(2).stop();

    await().atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> !survivor.isHealthy());
    assertThat(survivor.isRunning()).isTrue();

    etcd.member(1).restart(); // quorum is back, so this waits until etcd-1 is healthy
    assertThat(etcd.member(1).isHealthy()).isTrue();
    etcd.member(2).restart();
    etcd.awaitHealthy(BOUND);
    assertThat(survivor.isHealthy()).isTrue();
  }

  @Test
  void restartWithoutQuorumReturnsOnceThePortIsOpen() {
    etcd.members().forEach(EtcdMember::stop);

    long start = System.nanoTime();
    etcd.member(0).restart();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(etcd.member(0).isRunning()).isTrue();
    assertThat(etcd.member(0).isHealthy()).isFalse();

    etcd.member(1).restart();
    etcd.member(0).awaitHealthy(BOUND);
    etcd.member(2).restart();
    etcd.awaitHealthy(BOUND);
    assertThat(etcd.leader()).isNotNull();
  }

  @Test
  void aWipedFollowerRejoinsEmptyAndCatchesUp() throws Exception {
    EtcdMember leader = etcd.leader();
    Gateway.put(leader.clientEndpoint(), "config", "v1");
    EtcdMember follower = etcd.followers().get(0);
    String oldId = Gateway.status(follower.clientEndpoint())[0];

    follower.wipe();

    String newId = Gateway.status(follower.clientEndpoint())[0];
    assertThat(newId).isNotEqualTo(oldId);
    assertThat(Gateway.memberNames(leader.clientEndpoint()))
        .containsExactlyInAnyOrder("etcd-0", "etcd-1", "etcd-2");
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> Gateway.readLocal(follower.clientEndpoint(), "config").orElse(""), "v1"::equals);
    etcd.awaitHealthy(BOUND);

    follower.kill(); // a rejoined member restarts from its new data dir like any other
    follower.restart();
    assertThat(Gateway.status(follower.clientEndpoint())[0]).isEqualTo(newId);
  }
}
