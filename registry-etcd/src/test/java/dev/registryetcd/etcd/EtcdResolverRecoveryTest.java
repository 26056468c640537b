package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The resolver's cache never silently goes stale: each test gets its own etcd to kill or wipe. */
class EtcdResolverRecoveryTest {
  private static final String SERVICE = "echo";
  private static final String PREFIX = "kitex/registry-etcd/echo/";

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  private static byte[] value(String address, int weight) {
    return ("{\"network\":\"tcp\",\"address\":\""
            + address
            + "\",\"weight\":"
            + weight
            + ",\"tags\":null}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** What a fresh range read says the service is: address → weight. */
  private static Map<String, Long> truth(EtcdProbe probe) {
    Map<String, Long> instances = new TreeMap<>();
    for (String key : probe.leasesUnder(PREFIX).keySet()) {
      var info = InstanceCodec.decode(probe.value(key).getBytes(StandardCharsets.UTF_8));
      instances.put(info.address(), info.withDefaultWeight(10).weight());
    }
    return instances;
  }

  private static Map<String, Long> view(EtcdResolver resolver) {
    Map<String, Long> instances = new TreeMap<>();
    try {
      for (Instance instance : resolver.resolve(SERVICE).instances()) {
        instances.put(instance.address(), instance.weight());
      }
    } catch (NoInstanceException none) {
      // empty
    }
    return instances;
  }

  @Test
  void afterALongOutageTheCacheEqualsEtcdWithinTwoSecondsOfEtcdServing() throws Exception {
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver = fixture.resolver()) {
      probe.put(PREFIX + "127.0.0.1:1", value("127.0.0.1:1", 10));
      assertThat(view(resolver)).containsOnlyKeys("127.0.0.1:1");

      etcd.member(0).kill();
      // long enough for gRPC's connect backoff to grow well past 2 s
      await()
          .pollDelay(Duration.ofSeconds(12))
          .atMost(Duration.ofSeconds(13))
          .until(() -> !resolver.status().healthy());
      etcd.member(0).restart();
      probe.put(PREFIX + "127.0.0.1:2", value("127.0.0.1:2", 20));

      await()
          .atMost(Duration.ofSeconds(2))
          .untilAsserted(
              () -> {
                assertThat(view(resolver)).isEqualTo(truth(probe));
                assertThat(resolver.status().healthy()).isTrue();
              });
    }
  }

  @Test
  void lastKnownInstancesAreServedWhileEtcdIsDownAndChangesMadeMeanwhileArriveAfter() {
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver = fixture.resolver()) {
      probe.put(PREFIX + "a", value("127.0.0.1:1", 10));
      probe.put(PREFIX + "b", value("127.0.0.1:2", 10));
      List<Change> changes = new CopyOnWriteArrayList<>();
      Subscription subscription = resolver.subscribe(SERVICE, changes::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);

      etcd.member(0).kill();
      assertThat(view(resolver)).containsOnlyKeys("127.0.0.1:1", "127.0.0.1:2");

      etcd.member(0).restart();
      probe.delete(PREFIX + "a");
      probe.put(PREFIX + "c", value("127.0.0.1:3", 7));

      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(() -> assertThat(view(resolver)).isEqualTo(truth(probe)));
      awaitLastChangeHolds(changes, "127.0.0.1:2", "127.0.0.1:3");
      subscription.close();
    }
  }

  @Test
  void afterEtcdLosesItsDataTheCacheEqualsAFreshRead() {
    try (EtcdResolver resolver = fixture.resolver()) {
      try (EtcdProbe probe = fixture.probe()) {
        for (int i = 0; i < 20; i++) {
          probe.put(PREFIX + "old-" + i, value("127.0.0.1:" + (100 + i), 10));
        }
        assertThat(view(resolver)).hasSize(20);
      }

      etcd.member(0).wipe();

      try (EtcdProbe probe = fixture.probe()) {
        probe.put(PREFIX + "new", value("127.0.0.1:9", 3));
        // revisions restarted from 1: a watch resumed at the old revision would never see this
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(view(resolver)).isEqualTo(Map.of("127.0.0.1:9", 3L)));
      }
    }
  }

  @Test
  void aBusyEtcdIsNotMistakenForOneThatLostItsData() {
    // The resolver checks etcd's revision every few seconds; events that arrive while that check is
    // on its way must not make the answer look like a revision that went back.
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver = fixture.resolver()) {
      List<Change> changes = new CopyOnWriteArrayList<>();
      probe.put(PREFIX + "busy", value("127.0.0.1:1", 1));
      resolver.subscribe(SERVICE, changes::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> !changes.isEmpty());

      // Puts in flight all the time, so events keep arriving while a check is on its way.
      long end = System.nanoTime() + Duration.ofSeconds(7).toNanos(); // two checks or more
      int weight = 1;
      while (System.nanoTime() < end) {
        List<CompletableFuture<?>> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          batch.add(
              probe
                  .client()
                  .getKVClient()
                  .put(
                      ByteSequence.from(PREFIX + "busy", StandardCharsets.UTF_8),
                      ByteSequence.from(value("127.0.0.1:1", ++weight))));
        }
        CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
      }
      probe.put(PREFIX + "busy", value("127.0.0.1:1", ++weight));
      int last = weight;
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(view(resolver)).isEqualTo(Map.of("127.0.0.1:1", (long) last)));
      assertThat(resolver.status().watchRestarts()).as("watches restarted for nothing").isZero();
    }
  }

  @Test
  void aWatchThatFallsBehindACompactionIsFollowedByAFreshReadAndTheDifference() {
    WatchGate gate = new WatchGate();
    try (EtcdProbe probe = fixture.probe();
        Client client =
            Client.builder()
                .endpoints(etcd.clientEndpoints().toArray(String[]::new))
                .interceptor(gate)
                .build();
        EtcdResolver resolver = EtcdResolver.builder().client(client).build()) {
      probe.put(PREFIX + "a", value("127.0.0.1:1", 10));
      probe.put(PREFIX + "b", value("127.0.0.1:2", 10));
      List<Change> changes = new CopyOnWriteArrayList<>();

      gate.close(); // the resolver reads, but its watch request waits at the gate
      resolver.subscribe(SERVICE, changes::add);
      await().atMost(Duration.ofSeconds(5)).until(() -> gate.heldCount() > 0);
      probe.delete(PREFIX + "a");
      probe.put(PREFIX + "c", value("127.0.0.1:3", 4));
      probe.compact(probe.put(PREFIX + "b", value("127.0.0.1:2", 30)));
      gate.open(); // the watch now starts at a revision etcd has compacted away

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(view(resolver))
                      .isEqualTo(truth(probe))
                      .containsOnlyKeys("127.0.0.1:2", "127.0.0.1:3"));
      awaitLastChangeHolds(changes, "127.0.0.1:2", "127.0.0.1:3");
    }
  }

  @Test
  void subscribingWhileEtcdIsDownReturnsAtOnceReportsTheErrorAndDeliversOnceEtcdIsBack() {
    try (EtcdProbe probe = fixture.probe()) {
      probe.put(PREFIX + "a", value("127.0.0.1:1", 10));
    }
    etcd.member(0).kill();
    RecordingListener heard = new RecordingListener();
    try (EtcdResolver resolver =
            fixture.resolver(Option.withDialTimeoutOpt(Duration.ofMillis(500)));
        Subscription subscription = resolver.subscribe(SERVICE, heard)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !heard.errors.isEmpty());
      assertThat(heard.changes).isEmpty();

      etcd.member(0).restart();

      await().atMost(Duration.ofSeconds(20)).until(() -> !heard.changes.isEmpty());
      assertThat(heard.changes.get(0).added())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");
      assertThat(view(resolver)).containsOnlyKeys("127.0.0.1:1");
    }
  }

  @Test
  void aSubscriberHearsOnceWhenEtcdGoesAwayAfterItsFirstChangeAndChangesFollowOnceEtcdIsBack() {
    try (EtcdProbe probe = fixture.probe()) {
      probe.put(PREFIX + "a", value("127.0.0.1:1", 10));
    }
    RecordingListener heard = new RecordingListener();
    try (EtcdResolver resolver =
            fixture.resolver(Option.withDialTimeoutOpt(Duration.ofMillis(500)));
        Subscription subscription = resolver.subscribe(SERVICE, heard)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !heard.changes.isEmpty());

      etcd.member(0).kill(); // the watch's stream breaks; it resumes without a read
      await().atMost(Duration.ofSeconds(10)).until(() -> !heard.errors.isEmpty());
      assertThat(heard.errors.get(0)).hasMessageContaining("echo");
      assertThat(view(resolver)).containsOnlyKeys("127.0.0.1:1"); // the last instances, served

      etcd.member(0).restart();
      try (EtcdProbe probe = fixture.probe()) {
        probe.put(PREFIX + "b", value("127.0.0.1:2", 20));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> view(resolver).containsKey("127.0.0.1:2"));
      awaitLastChangeHolds(heard.changes, "127.0.0.1:1", "127.0.0.1:2");
      assertThat(heard.errors).hasSize(1);
    }
  }

  /** Waits until the last change delivered lists exactly these addresses. */
  private static void awaitLastChangeHolds(List<Change> changes, String... addresses) {
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              Change last = changes.get(changes.size() - 1);
              assertThat(last.result().instances())
                  .extracting(Instance::address)
                  .containsExactlyInAnyOrder(addresses);
            });
  }
}
