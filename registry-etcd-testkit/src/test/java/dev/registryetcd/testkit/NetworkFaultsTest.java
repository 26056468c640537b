package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Network faults between clients and members and between members, on a real 3-member cluster. */
class NetworkFaultsTest {

  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final Duration NO_ANSWER = Duration.ofSeconds(1);
  private static final Duration POLL = Duration.ofMillis(50);

  private EtcdCluster etcd;

  @BeforeEach
  void startCluster() {
    etcd = EtcdCluster.builder().members(3).networkFaults().start();
  }

  @AfterEach
  void closeCluster() {
    if (etcd != null) {
      etcd.close();
    }
  }

  @Test
  void clientsAndPeersGoThroughTheProxies() throws Exception {
    assertThat(etcd.hasNetworkFaults()).isTrue();
    for (EtcdMember m : etcd.members()) {
      assertThat(m.clientPort()).isEqualTo(m.clientProxy().port());
      assertThat(m.clientEndpoint()).isNotEqualTo(m.directClientEndpoint());
      assertThat(m.peerUrl()).isEqualTo("http://" + m.peerProxy().hostPort());
      // every member dials every other one's peer URL, so each peer proxy carries connections
      await().atMost(BOUND).until(() -> m.peerProxy().openConnections() > 0);
    }
    assertThat(etcd.clientEndpoints())
        .containsExactlyElementsOf(
            etcd.members().stream().map(EtcdMember::clientEndpoint).toList());
    assertThat(Gateway.peerUrls(etcd.member(0).clientEndpoint()))
        .containsExactlyInAnyOrderElementsOf(
            etcd.members().stream().map(EtcdMember::peerUrl).toList());
  }

  @Test
  void clientBlackholedMemberAcceptsConnectionsButAnswersNothingWhileOthersAnswer()
      throws Exception {
    EtcdMember silent = etcd.member(0);
    silent.clientProxy().blackhole();

    try (Socket socket = new Socket(TcpProxy.loopback(), silent.clientPort())) {
      assertThat(socket.isConnected()).isTrue();
    }
    assertThatThrownBy(() -> Gateway.get(silent.clientEndpoint() + "/version", NO_ANSWER))
        .isInstanceOf(HttpTimeoutException.class);
    for (EtcdMember other : List.of(etcd.member(1), etcd.member(2))) {
      assertThat(Gateway.get(other.clientEndpoint() + "/version", BOUND).statusCode())
          .isEqualTo(200);
    }
    assertThat(silent.isHealthy()).as("etcd itself is fine, and the kit sees it").isTrue();

    silent.clientProxy().heal();
    await()
        .atMost(BOUND)
        .pollInterval(POLL)
        .until(() -> Gateway.healthy(silent.clientEndpoint(), NO_ANSWER));
  }

  @Test
  void delayedClientProxyAddsAtLeastTheDelayToEachRoundTrip() throws Exception {
    EtcdMember slow = etcd.member(1);
    Duration delay = Duration.ofMillis(300);

    slow.clientProxy().delay(Direction.FROM_MEMBER, delay);
    assertThat(versionRoundTrip(slow.clientPort())).isGreaterThanOrEqualTo(delay);

    slow.clientProxy().delay(delay);
    assertThat(versionRoundTrip(slow.clientPort())).isGreaterThanOrEqualTo(delay.multipliedBy(2));
    assertThat(versionRoundTrip(etcd.member(0).clientPort())).isLessThan(delay);

    slow.clientProxy().heal();
    assertThat(versionRoundTrip(slow.clientPort())).isLessThan(delay);
  }

  @Test
  void resetDropsAnOpenWatchStreamAndNewConnectionsWork() throws Exception {
    EtcdMember member = etcd.member(2);
    try (Socket watch = new Socket(TcpProxy.loopback(), member.clientPort())) {
      watch.setSoTimeout((int) BOUND.toMillis());
      String body = "{\"create_request\":{\"key\":\"d2F0Y2hlZA==\"}}"; // "watched"
      watch
          .getOutputStream()
          .write(
              ("POST /v3/watch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = watch.getInputStream();
      readUntil(in, "\"created\":true");

      member.clientProxy().reset();

      assertThatThrownBy(() -> readUntil(in, "never"))
          .as("the watch stream fails")
          .isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
    await().atMost(BOUND).until(() -> member.clientProxy().openConnections() == 0);
    Gateway.put(member.clientEndpoint(), "after-reset", "works");
    assertThat(Gateway.read(member.clientEndpoint(), "after-reset")).contains("works");
  }

  @Test
  void isolatedFollowerIsReachableButLosesItsLeaderWhileTheOthersServeAndRegainsItOnHeal()
      throws Exception {
    EtcdMember isolated = etcd.followers().get(0);
    List<EtcdMember> others = etcd.members().stream().filter(m -> m != isolated).toList();
    assertThat(Gateway.hasLeader(isolated.clientEndpoint())).isTrue();

    long start = System.nanoTime();
    isolated.isolateFromPeers();
    await()
        .atMost(BOUND)
        .pollInterval(POLL)
        .until(() -> !Gateway.hasLeader(isolated.clientEndpoint()));
    System.out.println(
        "NetworkFaultsTest: isolated "
            + isolated.name()
            + " reported no leader after "
            + Duration.ofNanos(System.nanoTime() - start).toMillis()
            + " ms");

    assertThat(isolated.isIsolatedFromPeers()).isTrue();
    HttpResponse<String> health = Gateway.get(isolated.clientEndpoint() + "/health", BOUND);
    assertThat(health.body()).as("answers clients, through its client proxy").contains("false");
    Gateway.put(others.get(0).clientEndpoint(), "written", "while isolated");
    for (EtcdMember other : others) {
      assertThat(Gateway.read(other.clientEndpoint(), "written")).contains("while isolated");
      assertThat(Gateway.hasLeader(other.clientEndpoint())).isTrue();
    }
    assertThat(Gateway.readLocal(isolated.clientEndpoint(), "written")).isEmpty();

    isolated.healPeers();
    await()
        .atMost(BOUND)
        .pollInterval(POLL)
        .until(() -> Gateway.healthy(isolated.clientEndpoint(), NO_ANSWER));
    await()
        .atMost(BOUND)
        .pollInterval(POLL)
        .until(
            () -> Gateway.readLocal(isolated.clientEndpoint(), "written").orElse(""),
            "while isolated"::equals);
    assertThat(isolated.isIsolatedFromPeers()).isFalse();
  }

  @Test
  void isolatedLeaderStepsDownAndTheOthersElectOneOfThemselves() throws Exception {
    EtcdMember oldLeader = etcd.leader();

    oldLeader.isolateFromPeers();

    AtomicReference<EtcdMember> newLeader = new AtomicReference<>();
    await()
        .atMost(BOUND)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              assertThat(Gateway.hasLeader(oldLeader.clientEndpoint())).isFalse();
              EtcdMember leader = etcd.awaitLeader(NO_ANSWER);
              assertThat(leader).isNotSameAs(oldLeader);
              newLeader.set(leader);
            });
    Gateway.put(newLeader.get().clientEndpoint(), "new", "leader");

    etcd.healNetwork();
    etcd.awaitHealthy(BOUND);
    await()
        .atMost(BOUND)
        .pollInterval(POLL)
        .until(
            () -> Gateway.readLocal(oldLeader.clientEndpoint(), "new").orElse(""),
            "leader"::equals);
  }

  @Test
  void blackholingOnlyAMembersPeerProxyDoesNotTakeItsLeader() {
    // The member still dials the others, and etcd's streams carry messages toward the dialer
    // too: the leader's heartbeats reach it over a connection it dialed. That is why
    // isolateFromPeers() also cuts those.
    EtcdMember follower = etcd.followers().get(0);
    follower.peerProxy().blackhole();
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .pollInterval(POLL)
        .until(() -> Gateway.hasLeader(follower.clientEndpoint()));
  }

  @Test
  void aWipedMemberRejoinsAdvertisingItsPeerProxy() throws Exception {
    EtcdMember follower = etcd.followers().get(0);

    follower.wipe();

    etcd.awaitHealthy(BOUND);
    assertThat(Gateway.peerUrls(etcd.leader().clientEndpoint()))
        .containsExactlyInAnyOrderElementsOf(
            etcd.members().stream().map(EtcdMember::peerUrl).toList());
    Gateway.put(follower.clientEndpoint(), "after", "wipe");
  }

  @Test
  void aClusterWithoutNetworkFaultsHasNoProxiesAndSaysWhichBuilderOptionAddsThem()
      throws Exception {
    try (EtcdCluster plain = EtcdCluster.single().start()) {
      EtcdMember member = plain.member(0);
      assertThat(plain.hasNetworkFaults()).isFalse();
      assertThat(member.clientEndpoint()).isEqualTo(member.directClientEndpoint());
      assertThat(Gateway.peerUrls(member.clientEndpoint())).containsExactly(member.peerUrl());
      assertThat(Gateway.healthy(member.clientEndpoint(), BOUND)).isTrue();
      assertThatThrownBy(member::clientProxy)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("EtcdCluster.builder().networkFaults()");
      assertThatThrownBy(member::peerProxy)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("networkFaults()");
      assertThatThrownBy(member::isolateFromPeers)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("networkFaults()");
      assertThatThrownBy(plain::healNetwork)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("networkFaults()");
    }
  }

  /** Time from sending {@code GET /version} on a fresh connection to the answer's first byte. */
  private static Duration versionRoundTrip(int port) throws IOException {
    try (Socket socket = new Socket(TcpProxy.loopback(), port)) {
      socket.setSoTimeout((int) BOUND.toMillis());
      long start = System.nanoTime();
      socket
          .getOutputStream()
          .write(
              "GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(socket.getInputStream().read()).isNotNegative();
      return Duration.ofNanos(System.nanoTime() - start);
    }
  }

  private static void readUntil(InputStream in, String marker) throws IOException {
    StringBuilder seen = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (seen.indexOf(marker) < 0) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("end of stream before " + marker + "; got: " + seen);
      }
      seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
  }
}
