package dev.registryetcd.gray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.KeyHistory;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
  private static final Duration AFTER_FAULT = TTL.plusSeconds(2);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.of(GrayCluster.builder());

  private final List<EtcdRegistry> registries = new ArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();

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
  }

  @AfterEach
  void closeAll() {
    registries.forEach(EtcdRegistry::close);
  }

  @Test
  void aFrozenFollowerCostsNoRegistration() throws Exception {
    EtcdMember follower = etcd.cluster().followers().get(0);
    noKeyIsDeletedWhile("follower frozen", follower::freeze, follower::thaw);
  }

  @Test
  void aFrozenLeaderCostsNoRegistrationButWhatEtcdsThawedOldLeaderRevokes() throws Exception {
    EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    noKeyIsDeletedWhile(
        "leader " + leader.name() + " frozen", FAULT, leader, leader::freeze, leader::thaw);
  }

  @Test
  void aLeaderFrozenJustPastTheLeaseTtlCostsNoRegistrationButWhatEtcdsThawedOldLeaderRevokes()
      throws Exception {
    EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    noKeyIsDeletedWhile(
        "leader " + leader.name() + " frozen for 4 s",
        TTL.plusSeconds(1),
        leader,
        leader::freeze,
        leader::thaw);
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
    noKeyIsDeletedWhile(fault, FAULT, null, start, end);
  }

  /**
   * No key is deleted during the fault or within {@link #AFTER_FAULT} of its end. With {@code
   * frozenLeader}, one exception, etcd's and not ours to avoid: etcd before 3.4.31 and 3.5.13
   * (Debian 12 ships 3.4.23) lets a leader that comes back from a pause revoke the leases it
   * believes expired, although a new leader has kept renewing them (etcd-io/etcd#15247, fixed by
   * etcd-io/etcd#17465 and #17425). Such deletions must come after the thaw: none while the leader
   * was frozen (read from the other two members before the thaw), and every registry heard etcd
   * within its contact bound just before it, so no lease was left unrenewed. Every key must be put
   * back. etcd's count of leases each member revoked is in the message; it is not asserted, as it
   * has shown the current leader revoking a lease in the same half second as the thawed one (1 of 8
   * runs with busy CPUs, 2026-12-02, keep-alives answered throughout the fault).
   */
  private void noKeyIsDeletedWhile(
      String fault, Duration length, EtcdMember frozenLeader, Runnable start, Runnable end)
      throws Exception {
    // read after the fault, straight from etcd, past the proxies
    KeyHistory history = KeyHistory.startingNow(etcd.cluster(), PREFIX);
    Map<String, Long> expiredBefore = leasesExpiredByMember();

    List<KeyHistory.Event> untilTheFaultEnded = null;
    start.run();
    try {
      await()
          .pollDelay(length)
          .atMost(length.plusSeconds(1))
          .until(() -> registries.stream().allMatch(r -> r.status().registrations() == 2));
      if (frozenLeader != null) {
        // Each registry heard etcd within its contact bound (2 s, less than the TTL), so its lease
        // is renewed and cannot expire on the current leader in the second after the thaw.
        await()
            .atMost(Duration.ofSeconds(1))
            .until(() -> registries.stream().allMatch(r -> r.status().healthy()));
        // read from the two members that answer, before the old leader is back
        untilTheFaultEnded = history.untilNow();
      }
    } finally {
      end.run();
    }
    // What a member does when it comes back counts too: a thawed old leader may still act on what
    // it believed before the fault. So keep watching past a lease TTL after the fault ends.
    await()
        .pollDelay(AFTER_FAULT)
        .atMost(AFTER_FAULT.plusSeconds(10))
        .until(() -> registries.stream().allMatch(r -> r.status().healthy()));

    List<KeyHistory.Event> events = history.untilNow();
    List<KeyHistory.Event> deletions =
        events.stream().filter(e -> e.type() == KeyHistory.Type.DELETE).toList();
    Map<String, Long> expiredAfter = leasesExpiredByMember();
    String why =
        String.format(
            "keys deleted while the %s or just after; leases each member revoked as expired,"
                + " before -> after: %s -> %s",
            fault, expiredBefore, expiredAfter);
    if (frozenLeader == null || deletions.isEmpty()) {
      assertThat(deletions).as(why).isEmpty();
    } else {
      assertThat(untilTheFaultEnded)
          .as(why + ": none while the leader was frozen")
          .noneMatch(e -> e.type() == KeyHistory.Type.DELETE);
      for (KeyHistory.Event deletion : deletions) {
        assertThat(events)
            .as("%s, and %s is put back", why, deletion.key())
            .anySatisfy(
                later -> {
                  assertThat(later.type()).isEqualTo(KeyHistory.Type.PUT);
                  assertThat(later.key()).isEqualTo(deletion.key());
                  assertThat(later.revision()).isGreaterThan(deletion.revision());
                });
      }
    }
    assertThat(registries).allSatisfy(r -> assertThat(r.status().healthy()).isTrue());
    assertThat(registries).allSatisfy(r -> assertThat(r.status().registrations()).isEqualTo(2));
  }

  /**
   * etcd's own count of the leases each member revoked as expired ({@code
   * etcd_debugging_server_lease_expired_total}): only a leader's lessor revokes, so it tells which
   * member revoked a lease.
   */
  private Map<String, Long> leasesExpiredByMember() throws Exception {
    Map<String, Long> expired = new TreeMap<>();
    for (EtcdMember member : etcd.cluster().members()) {
      HttpResponse<String> metrics =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(member.directClientEndpoint() + "/metrics")) // no TLS here
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long count =
          metrics
              .body()
              .lines()
              .filter(line -> line.startsWith("etcd_debugging_server_lease_expired_total "))
              .mapToLong(line -> (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
              .sum();
      expired.put(member.name(), count);
    }
    return expired;
  }
}
