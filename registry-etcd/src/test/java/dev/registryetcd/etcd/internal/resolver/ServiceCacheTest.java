package dev.registryetcd.etcd.internal.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.ManualScheduler;
import dev.registryetcd.etcd.internal.watch.FakeSource;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.Liveness;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.events.EtcdEvents;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A service's cache and the resolver's revision guard on the engine, without etcd: a hand-driven
 * loop, a source answered by the test, listeners called in the test's thread.
 */
@Timeout(5)
class ServiceCacheTest {
  private static final String PREFIX = "kitex/registry-etcd/echo/";

  private final ManualScheduler loop = new ManualScheduler();
  private final FakeSource source = new FakeSource();
  private final List<ServiceCache> gaveUp = new ArrayList<>();
  private final List<EtcdEvents.WatchEnd> restarts = new ArrayList<>();
  private final List<ServiceCache> caches = new ArrayList<>();
  private final RevisionGuard guard =
      new RevisionGuard(
          source,
          "kitex/registry-etcd/",
          loop,
          LoggerFactory.getLogger(ServiceCacheTest.class),
          Liveness.DEFAULT,
          caches::isEmpty,
          why -> caches.forEach(cache -> cache.restart(why)),
          revision -> caches.forEach(cache -> cache.confirm(revision)),
          () -> caches.forEach(ServiceCache::unconfirm),
          error -> caches.forEach(cache -> cache.etcdSilent(error)));
  private final ResolverContext context =
      new ResolverContext(
          "kitex/registry-etcd",
          "etcd at http://127.0.0.1:2379",
          10,
          Duration.ofSeconds(1),
          source,
          loop,
          Runnable::run,
          Backoff.DEFAULT,
          Liveness.DEFAULT,
          new EtcdEvents() {
            @Override
            public void watchRestarted(Source source, WatchEnd cause) {
              restarts.add(cause);
            }
          },
          new AtomicLong(),
          guard,
          LoggerFactory.getLogger(ServiceCacheTest.class));
  private final ServiceCache cache = new ServiceCache(context, "echo", gaveUp::add);
  private final List<Object> heard = new ArrayList<>();

  {
    caches.add(cache);
  }

  @Test
  void subscribersGetTheFirstReadWholeThenEachBatchAsTheChangeItMade() {
    subscribe();
    cache.start();
    answerRead(10, kv("a", "10.0.0.1:1", 5), kv("b", "10.0.0.2:1", 5));

    assertThat(cache.loaded()).isCompleted();
    assertThat(heard)
        .containsExactly(change(List.of(instance("10.0.0.1:1", 5), instance("10.0.0.2:1", 5))));
    assertThat(source.lastWatch().fromRevision).isEqualTo(11);

    source
        .lastWatch()
        .listener
        .onEvents(
            List.of(
                new KvEvent(KvEvent.Type.PUT, kv("a", "10.0.0.1:1", 7)),
                new KvEvent(KvEvent.Type.DELETE, kv("b", "10.0.0.2:1", 5)),
                new KvEvent(KvEvent.Type.PUT, kv("c", "10.0.0.3:1", 5))),
            11);
    loop.runReady();

    Change last = (Change) heard.get(heard.size() - 1);
    assertThat(last.added()).containsExactly(instance("10.0.0.3:1", 5));
    assertThat(last.updated()).containsExactly(instance("10.0.0.1:1", 7));
    assertThat(last.removed()).containsExactly(instance("10.0.0.2:1", 5));
    assertThat(cache.result().instances())
        .containsExactly(instance("10.0.0.1:1", 7), instance("10.0.0.3:1", 5));
  }

  @Test
  void afterACompactionTheReadAgainIsComparedWholeWithWhatWasKnown() {
    subscribe();
    cache.start();
    answerRead(10, kv("a", "10.0.0.1:1", 5), kv("b", "10.0.0.2:1", 5));

    source.lastWatch().listener.onError(EtcdExceptionFactory.newCompactedException(12));
    loop.runReady();
    answerRead(20, kv("b", "10.0.0.2:1", 6), kv("c", "10.0.0.3:1", 5));

    assertThat(restarts).containsExactly(EtcdEvents.WatchEnd.COMPACTED);
    Change last = (Change) heard.get(heard.size() - 1);
    assertThat(last.added()).containsExactly(instance("10.0.0.3:1", 5));
    assertThat(last.updated()).containsExactly(instance("10.0.0.2:1", 6));
    assertThat(last.removed()).containsExactly(instance("10.0.0.1:1", 5));
  }

  @Test
  void whileReadsFailTheLastInstancesAreServedAndSubscribersToldOnce() {
    subscribe();
    cache.start();
    answerRead(10, kv("a", "10.0.0.1:1", 5));

    source.lastWatch().listener.onError(Status.UNAVAILABLE.asRuntimeException());
    loop.advance(Duration.ofMillis(120));
    source.lastRead().answer().completeExceptionally(Status.UNAVAILABLE.asRuntimeException());
    loop.advance(Duration.ofMillis(240));
    source.lastRead().answer().completeExceptionally(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();

    assertThat(cache.reportedOutage()).isTrue();
    assertThat(cache.result().instances()).containsExactly(instance("10.0.0.1:1", 5));
    assertThat(heard.stream().filter(Throwable.class::isInstance)).hasSize(1);

    loop.advance(Duration.ofMillis(480));
    answerRead(15, kv("a", "10.0.0.1:1", 5));
    assertThat(cache.reportedOutage()).isFalse();
  }

  @Test
  void aFirstReadThatFailsWithoutSubscribersGivesUpSoTheNextResolveStartsAgain() {
    cache.start();
    source.lastRead().answer().completeExceptionally(new IllegalStateException("denied"));
    loop.runReady();

    assertThat(cache.loaded()).isCompletedExceptionally();
    assertThat(cache.isClosed()).isTrue();
    assertThat(gaveUp).containsExactly(cache);
    loop.advance(Duration.ofSeconds(10));
    assertThat(source.reads).hasSize(1);
  }

  @Test
  void theGuardRestartsEveryWatchWhenEtcdsRevisionWentBack() {
    cache.start();
    answerRead(50, kv("a", "10.0.0.1:1", 5));

    guard.check();
    source.revisions.get(0).complete(50L);
    loop.runReady();
    assertThat(source.reads).hasSize(1);

    guard.check();
    source.revisions.get(1).complete(3L);
    loop.runReady();
    assertThat(source.lastWatch().closed).isTrue();
    assertThat(restarts).containsExactly(EtcdEvents.WatchEnd.ERROR);
    loop.advance(Duration.ofMillis(120));
    assertThat(source.reads).hasSize(2);
  }

  @Test
  void aFailedRevisionCheckMakesTheServiceFailingTriesAgainAtOnceAndASuccessfulOneConfirmsIt() {
    cache.start();
    answerRead(50, kv("a", "10.0.0.1:1", 5));
    assertThat(cache.failing()).isFalse();

    guard.check();
    source.revisions.get(0).completeExceptionally(new java.util.concurrent.TimeoutException());
    loop.runReady();
    assertThat(cache.failing()).isTrue();
    assertThat(source.revisions).hasSize(2); // again at once: round robin picks another member

    source.revisions.get(1).complete(50L);
    loop.runReady();
    assertThat(cache.failing()).isFalse();
    assertThat(source.lastWatch().progressRequests).isZero();
    assertThat(restarts).isEmpty();
  }

  @Test
  void subscribersHearOnceWhenEtcdStopsAnsweringAfterTheirFirstReadAndAgainAfterItAnswered() {
    subscribe();
    cache.start();
    answerRead(50, kv("a", "10.0.0.1:1", 5));
    // the watch is resumed on a new stream, so no read fails: only the checks tell of the outage
    failRevisionChecks(0, 2);
    assertThat(heard.stream().filter(Throwable.class::isInstance)).hasSize(1);

    failRevisionChecks(2, 3); // the same outage goes on: no second error
    assertThat(heard.stream().filter(Throwable.class::isInstance)).hasSize(1);
    assertThat(cache.result().instances()).containsExactly(instance("10.0.0.1:1", 5));

    guard.check();
    source.revisions.get(5).complete(50L);
    loop.runReady();
    assertThat(cache.failing()).isFalse();

    failRevisionChecks(6, 2); // a new outage is told again
    assertThat(heard.stream().filter(Throwable.class::isInstance)).hasSize(2);
    assertThat((Throwable) heard.get(heard.size() - 1)).hasMessageContaining("echo");
  }

  /** {@code count} revision checks fail, the first of them the {@code first}-th read. */
  private void failRevisionChecks(int first, int count) {
    int failed = 0;
    while (failed < count) {
      if (source.revisions.size() <= first + failed) {
        guard.check();
      }
      source
          .revisions
          .get(first + failed)
          .completeExceptionally(new java.util.concurrent.TimeoutException());
      loop.runReady();
      failed++;
    }
  }

  @Test
  void aRevisionCheckAheadOfTheWatchAsksItForProgressAndMovesItWhenItStaysSilent() {
    cache.start();
    answerRead(50, kv("a", "10.0.0.1:1", 5));

    guard.check();
    guard.check(); // a read on its way: no second one
    assertThat(source.revisions).hasSize(1);
    source.revisions.get(0).complete(60L);
    loop.runReady();
    assertThat(source.lastWatch().progressRequests).isEqualTo(1);
    assertThat(cache.failing()).isFalse();

    loop.advance(Liveness.DEFAULT.bound());
    assertThat(cache.failing()).isTrue();
    assertThat(restarts).containsExactly(EtcdEvents.WatchEnd.UNCONFIRMED);
    assertThat(source.lastWatch().fromRevision).isEqualTo(51);
    source.lastWatch().listener.onEvents(List.of(), 60);
    loop.runReady();
    assertThat(cache.failing()).isFalse();
  }

  private void subscribe() {
    Subscriber subscriber =
        new Subscriber(
            context,
            cache,
            new ChangeListener() {
              @Override
              public void onChange(Change change) {
                heard.add(change);
              }

              @Override
              public void onError(Throwable error) {
                heard.add(error);
              }
            });
    cache.subscribe(subscriber);
  }

  private void answerRead(long revision, Kv... kvs) {
    source.lastRead().answer().complete(new RangeRead(List.of(kvs), revision));
    loop.runReady();
  }

  private static Change change(List<Instance> instances) {
    return new Change(
        new dev.registryetcd.discovery.Result(true, "echo", instances),
        instances,
        List.of(),
        List.of());
  }

  private static Kv kv(String key, String address, int weight) {
    byte[] value = InstanceCodec.encode(new Instance("tcp", address, weight, null));
    return new Kv(PREFIX + key, value, 5, 0);
  }

  private static Instance instance(String address, int weight) {
    return new Instance("tcp", address, weight, null);
  }
}
