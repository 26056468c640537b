package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SingleServerTest {

  private static final Duration SHORT = Duration.ofMillis(300);

  @Test
  void singleServerAnswersHealth() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      EtcdMember member = etcd.member(0);
      assertThat(etcd.members()).containsExactly(member);
      assertThat(member.name()).isEqualTo("etcd-0");
      assertThat(member.clientEndpoint()).matches("http://127\\.0\\.0\\.1:\\d+");
      assertThat(member.peerUrl())
          .matches("http://127\\.0\\.0\\.1:\\d+")
          .isNotEqualTo(member.clientEndpoint());
      assertThat(etcd.clientEndpoints()).containsExactly(member.clientEndpoint());
      assertThat(etcd.clientEndpointsAsHostPort())
          .containsExactly("127.0.0.1:" + member.clientPort());

      HttpResponse<String> health =
          Gateway.get(member.clientEndpoint() + "/health", Duration.ofSeconds(2));
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(Json.get(Json.parse(health.body()), "health")).isEqualTo("true");

      assertThat(etcd.leader()).isSameAs(member);
      assertThat(member.dataDir()).isDirectory().startsWith(etcd.dataRoot());
      assertThat(Files.readString(member.logFile())).contains("--- etcd-testkit", "--name=etcd-0");
    }
  }

  @Test
  void aKeySurvivesKillAndRestartButIsGoneAfterWipe() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      EtcdMember member = etcd.member(0);
      String endpoint = member.clientEndpoint();
      Gateway.put(endpoint, "greeting", "hello");
      assertThat(Gateway.read(endpoint, "greeting")).contains("hello");

      long pid = member.pid();
      member.kill();
      assertThat(member.isRunning()).isFalse();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive))
          .isNotEqualTo(java.util.Optional.of(true));
      assertThat(Gateway.healthy(endpoint, SHORT)).isFalse();

      member.restart();
      assertThat(member.pid()).isNotEqualTo(pid);
      assertThat(member.clientEndpoint()).isEqualTo(endpoint);
      assertThat(Gateway.healthy(endpoint, Duration.ofSeconds(2))).isTrue();
      assertThat(Gateway.read(endpoint, "greeting")).contains("hello");

      member.wipe();
      assertThat(member.clientEndpoint()).isEqualTo(endpoint);
      assertThat(Gateway.healthy(endpoint, Duration.ofSeconds(2))).isTrue();
      assertThat(Gateway.read(endpoint, "greeting")).isEmpty();
    }
  }

  @Test
  void freezeMakesHealthTimeOutAndThawBringsItBack() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      EtcdMember member = etcd.member(0);
      String health = member.clientEndpoint() + "/health";

      member.freeze();
      assertThat(member.isFrozen()).isTrue();
      assertThat(member.isRunning()).isTrue();
      assertThatThrownBy(() -> Gateway.get(health, SHORT)).isInstanceOf(HttpTimeoutException.class);

      member.thaw();
      assertThat(member.isFrozen()).isFalse();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> Gateway.healthy(member.clientEndpoint(), SHORT));
    }
  }

  @Test
  void stoppingAFrozenMemberIsStillGraceful() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.builder().autoCompaction("revision", "1000").start()) {
      EtcdMember member = etcd.member(0);
      assertThat(Files.readString(member.logFile()))
          .contains("--auto-compaction-mode=revision --auto-compaction-retention=1000");
      member.freeze();
      long start = System.nanoTime();
      member.stop();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(member.isRunning()).isFalse();
      assertThat(Files.readString(member.logFile()))
          .contains("stopping (SIGTERM)")
          .doesNotContain("killing (SIGKILL)");
      member.stop(); // already stopped: no-op
      member.kill(); // already stopped: no-op
    }
  }

  @Test
  void closeLeavesNoProcessAliveAndDeletesTheDataRoot() throws Exception {
    EtcdCluster etcd = EtcdCluster.cluster(3).start();
    List<Long> pids = etcd.members().stream().map(EtcdMember::pid).toList();
    Path root = etcd.dataRoot();
    etcd.member(2)
        .stop(); // before freezing: a leader's graceful stop stalls on a frozen transferee
    etcd.member(1).freeze();

    etcd.close();

    assertThat(pids)
        .allSatisfy(
            pid ->
                assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("etcd pid %d", pid)
                    .isEmpty());
    assertThat(etcd.members()).noneMatch(EtcdMember::isRunning);
    assertThat(root).doesNotExist();
    assertThat(etcd.isClosed()).isTrue();
    etcd.close(); // idempotent
    assertThatThrownBy(etcd::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aFailedStartNamesTheMemberAndQuotesItsLog() {
    EtcdCluster etcd =
        EtcdCluster.builder()
            .name("broken")
            .extraFlags(List.of("--no-such-flag"))
            .startTimeout(Duration.ofSeconds(10))
            .build();
    try {
      assertThatThrownBy(etcd::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("etcd member broken-0 is not running (exit code")
          .hasMessageContaining("log: " + etcd.dataRoot().resolve("broken-0.log"))
          .hasMessageContaining("no-such-flag");
      assertThat(etcd.member(0).isRunning()).isFalse();
    } finally {
      etcd.close();
    }
    assertThat(etcd.dataRoot()).doesNotExist();
  }
}
