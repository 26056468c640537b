package dev.registryetcd.etcd.internal.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.ManualScheduler;
import dev.registryetcd.etcd.internal.watch.FakeSource;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.Liveness;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.events.EtcdEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * How the resolver's caches start, without etcd: a hand-driven loop and a source answered by the
 * test. Caches made while the loop is busy ask for their first reads together, and each then goes
 * on as if it had read alone.
 */
@Timeout(5)
class ServiceCachesTest {
  private static final String PREFIX = "kitex/registry-etcd";

  private final ManualScheduler loop = new ManualScheduler();
  private final FakeSource source = new FakeSource();
  private final ResolverContext context =
      new ResolverContext(
          PREFIX,
          "etcd at http://127.0.0.1:2379",
          10,
          Duration.ofSeconds(1),
          source,
          loop,
          Runnable::run,
          Backoff.DEFAULT,
          Liveness.DEFAULT,
          new EtcdEvents() {},
          new AtomicLong(),
          new RevisionGuard(
              source,
              PREFIX + "/",
              loop,
              LoggerFactory.getLogger(ServiceCachesTest.class),
              Liveness.DEFAULT,
              () -> false,
              why -> {},
              revision -> {},
              () -> {},
              error -> {}),
          LoggerFactory.getLogger(ServiceCachesTest.class));
  private final ServiceCaches caches =
      new ServiceCaches(context, Duration.ofMinutes(10), () -> false);

  @Test
  void cachesMadeBeforeTheLoopRunsAskForTheirFirstReadsTogether() {
    List<ServiceCache> made = new ArrayList<>();
    for (String service : List.of("a", "b", "c")) {
      made.add(caches.entry(service));
    }
    assertThat(source.reads).isEmpty();

    loop.runReady();

    assertThat(source.readEachCalls)
        .containsExactly(List.of(PREFIX + "/a/", PREFIX + "/b/", PREFIX + "/c/"));
    for (int i = 0; i < 3; i++) {
      source.reads.get(i).answer().complete(new RangeRead(List.of(kv(i)), 20 + i));
    }
    loop.runReady();

    for (int i = 0; i < 3; i++) {
      assertThat(made.get(i).result().instances()).containsExactly(instance(i));
      // no event between the read and the watch is missed: each watches from its own read + 1
      assertThat(source.watches.get(i).fromRevision).isEqualTo(21 + i);
    }
  }

  @Test
  void aCacheMadeAfterTheLoopStartedTheOthersAsksOnItsOwn() {
    caches.entry("a");
    caches.entry("b");
    loop.runReady();
    caches.entry("c");
    loop.runReady();

    assertThat(source.readEachCalls)
        .containsExactly(List.of(PREFIX + "/a/", PREFIX + "/b/"), List.of(PREFIX + "/c/"));
  }

  @Test
  void oneFirstReadThatFailsFailsOnlyItsOwnCache() {
    ServiceCache a = caches.entry("a");
    ServiceCache b = caches.entry("b");
    loop.runReady();

    source.reads.get(0).answer().completeExceptionally(new IllegalStateException("denied"));
    source.reads.get(1).answer().complete(new RangeRead(List.of(kv(1)), 30));
    loop.runReady();

    assertThat(a.loaded()).isCompletedExceptionally();
    assertThat(a.isClosed()).isTrue();
    assertThat(caches.services()).containsExactly("b");
    assertThat(b.result().instances()).containsExactly(instance(1));
    assertThat(source.watches).hasSize(1);
    assertThat(source.lastWatch().fromRevision).isEqualTo(31);
  }

  @Test
  void aCacheClosedBeforeTheLoopStartsItIsNotRead() {
    ServiceCache a = caches.entry("a");
    caches.entry("b");
    caches.closeAll(); // the test's thread is the loop
    caches.entry("c");

    loop.runReady();

    assertThat(a.isClosed()).isTrue();
    assertThat(source.readEachCalls).containsExactly(List.of(PREFIX + "/c/"));
  }

  private static Kv kv(int i) {
    String address = "10.0.0." + (i + 1) + ":1";
    String service = String.valueOf((char) ('a' + i));
    byte[] value = InstanceCodec.encode(instance(i));
    return new Kv(PREFIX + "/" + service + "/" + address, value, 5, 0);
  }

  private static Instance instance(int i) {
    return new Instance("tcp", "10.0.0." + (i + 1) + ":1", 10, null);
  }
}
