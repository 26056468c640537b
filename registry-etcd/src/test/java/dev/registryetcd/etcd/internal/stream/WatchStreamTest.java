package dev.registryetcd.etcd.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import dev.registryetcd.etcd.internal.watch.WatchUnconfirmedException;
import dev.registryetcd.testkit.Direction;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.WatchMetrics;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.CompactedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared watch stream against a real etcd (through the test kit's proxy, so that its connection
 * can be reset): many watches on one gRPC stream, each with its own events, cancel, compaction,
 * fragments, one progress request for all, a move for all, and resuming every watch from its own
 * revision when the stream breaks. etcd's own {@code /metrics} say how many streams and watchers it
 * holds.
 */
class WatchStreamTest {
  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.of(EtcdCluster.builder().networkFaults());

  private Client client;
  private Client writer;
  private WatchStream stream;
  private final List<RangeSource.Watching> opened = new ArrayList<>();
  private static int round;
  private String prefix;

  @BeforeEach
  void connect() {
    EtcdMember member = etcd.member(0);
    member.clientProxy().heal();
    client = Client.builder().endpoints(member.clientEndpoint()).build();
    writer = Client.builder().endpoints(member.directClientEndpoint()).build();
    stream = WatchStreams.acquire(client);
    prefix = "ws" + (++round) + "/";
  }

  @AfterEach
  void close() {
    opened.forEach(RangeSource.Watching::close);
    WatchStreams.release(client);
    client.close();
    writer.close();
  }

  @Test
  void manyWatchesShareOneStreamAndEachHearsOnlyItsOwnKeys() throws Exception {
    WatchMetrics before = WatchMetrics.of(etcd.member(0));
    long from = put("other", "x") + 1;
    List<Recorder> recorders = watchMany(100, from);

    for (int i = 0; i < 100; i++) {
      put(service(i) + "a", "v" + i);
    }

    for (int i = 0; i < 100; i++) {
      Recorder recorder = recorders.get(i);
      String key = service(i) + "a";
      await().atMost(Duration.ofSeconds(10)).until(() -> recorder.keys().size() == 1);
      assertThat(recorder.keys()).containsExactly(key);
    }
    // Only this test's client watches this member (the previous test's stream may still be
    // closing when it starts, so the figures are awaited, not compared with a reading before).
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              WatchMetrics after = WatchMetrics.of(etcd.member(0));
              assertThat(after.streams()).isEqualTo(1);
              assertThat(after.watchers()).isEqualTo(100);
            });
    WatchMetrics after = WatchMetrics.of(etcd.member(0));
    assertThat(after.streamsStarted() - before.streamsStarted()).isEqualTo(1);
    assertThat(stream.streamsOpened()).isEqualTo(1);
    assertThat(stream.openWatches()).isEqualTo(100);
    // the progress request sent ahead of the creates was answered ahead of them
    assertThat(stream.answersProgress()).isTrue();
  }

  @Test
  void closingOneWatchCancelsItOnEtcdAndLeavesTheOthers() throws Exception {
    long from = put("other", "x") + 1;
    List<Recorder> recorders = watchMany(3, from);
    WatchMetrics before = WatchMetrics.of(etcd.member(0));

    opened.get(1).close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> WatchMetrics.of(etcd.member(0)).watchers() == before.watchers() - 1);
    put(service(0) + "a", "1");
    put(service(1) + "a", "1");
    put(service(2) + "a", "1");

    await().atMost(Duration.ofSeconds(5)).until(() -> recorders.get(2).keys().size() == 1);
    assertThat(recorders.get(0).keys()).containsExactly(service(0) + "a");
    assertThat(recorders.get(1).keys()).isEmpty();
    assertThat(stream.streamsOpened()).isEqualTo(1);
  }

  @Test
  void aWatchFromACompactedRevisionEndsWithCompactedAndTheStreamGoesOn() throws Exception {
    long first = put(service(0) + "a", "1");
    put(service(0) + "a", "2");
    long compactAt = put(service(0) + "a", "3");
    writer.getKVClient().compact(compactAt).get(5, TimeUnit.SECONDS);
    Recorder live = watch(service(1), compactAt + 1);

    Recorder compacted = watch(service(0), first);

    await().atMost(Duration.ofSeconds(5)).until(() -> !compacted.errors.isEmpty());
    assertThat(compacted.errors.get(0)).isInstanceOf(CompactedException.class);
    assertThat(((CompactedException) compacted.errors.get(0)).getCompactedRevision())
        .isEqualTo(compactAt);
    put(service(1) + "a", "1");
    await().atMost(Duration.ofSeconds(5)).until(() -> live.keys().size() == 1);
    assertThat(stream.streamsOpened()).isEqualTo(1);
  }

  @Test
  void aResponseEtcdSendsInFragmentsArrivesWhole() throws Exception {
    // 50 values of 100 kB: one 5 MB catch-up response, above etcd's 1.5 MB request limit (so it
    // fragments) and gRPC's 4 MB inbound limit (so without fragments the stream would fail).
    byte[] big = new byte[100_000];
    Arrays.fill(big, (byte) 'x');
    long first = 0;
    for (int i = 0; i < 50; i++) {
      long revision =
          writer
              .getKVClient()
              .put(bytes(service(0) + i), ByteSequence.from(big))
              .get(5, TimeUnit.SECONDS)
              .getHeader()
              .getRevision();
      first = first == 0 ? revision : first;
    }

    Recorder recorder = watch(service(0), first);

    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.keys().size() == 50);
    assertThat(recorder.batches).hasSize(1);
    assertThat(recorder.errors).isEmpty();
    assertThat(recorder.resumed).isEmpty();
    assertThat(stream.streamsOpened()).isEqualTo(1);
  }

  @Test
  void progressRequestsOfManyWatchesAreOneRequestWhoseAnswerReachesEveryWatch() throws Exception {
    long from = put("other", "x") + 1;
    List<Recorder> recorders = watchMany(20, from);
    recorders.forEach(r -> assertThat(r.notices).hasSize(1)); // the creation notices
    long revision = put("other", "y");
    // etcd answers a progress request at once: held for a second on its way back, the answer
    // cannot overtake the other 19 requests, which must then not be sent (else, with a test
    // thread slow to make them, a second request is right and every watch hears two answers)
    etcd.member(0).clientProxy().delay(Direction.FROM_MEMBER, Duration.ofSeconds(1));

    opened.forEach(RangeSource.Watching::requestProgress);

    for (Recorder recorder : recorders) {
      await().atMost(Duration.ofSeconds(5)).until(() -> recorder.notices.size() == 2);
      assertThat(recorder.notices.get(1)).isEqualTo(revision);
    }
    // one request, one answer: no watch hears a second one
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> recorders.stream().allMatch(r -> r.notices.size() == 2));
  }

  @Test
  void anUnconfirmedStreamMovesOnceForAllItsWatchesWhichResumeFromTheirOwnRevisions()
      throws Exception {
    long from = put("other", "x") + 1;
    List<Recorder> recorders = watchMany(20, from);
    opened.forEach(RangeSource.Watching::requestProgress);
    WatchUnconfirmedException why =
        new WatchUnconfirmedException(from, from - 1, from - 1, Duration.ofMillis(500));

    opened.forEach(w -> w.moveToNewStream(why)); // every watch's deadline, all at once

    await().atMost(Duration.ofSeconds(5)).until(() -> stream.streamsOpened() == 2);
    for (int i = 1; i < 20; i++) {
      Recorder recorder = recorders.get(i);
      await().atMost(Duration.ofSeconds(5)).until(() -> recorder.resumed.size() == 1);
      assertThat(recorder.resumed.get(0)).isSameAs(why);
    }
    assertThat(recorders.get(0).resumed).isEmpty(); // the one that moved it knows
    for (int i = 0; i < 20; i++) {
      put(service(i) + "a", "1");
    }
    for (Recorder recorder : recorders) {
      await().atMost(Duration.ofSeconds(5)).until(() -> recorder.keys().size() == 1);
    }
    assertThat(stream.streamsOpened()).isEqualTo(2);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(stream.openWatches()).isEqualTo(20));
  }

  @Test
  void aBrokenStreamResumesEveryWatchFromItsOwnRevisionWithNoEventLostOrRepeated()
      throws Exception {
    long from = put("other", "x") + 1;
    int services = 20;
    List<Recorder> recorders = watchMany(services, from);
    List<List<Long>> written = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      written.add(new CopyOnWriteArrayList<>());
    }
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread load =
        new Thread(
            () -> {
              try {
                for (int n = 0; writing.get(); n++) {
                  int i = n % services;
                  written.get(i).add(put(service(i) + (n % 3), "v" + n));
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    load.start();
    for (int reset = 0; reset < 3; reset++) {
      long opens = stream.streamsOpened();
      int heard = total(recorders);
      await().atMost(Duration.ofSeconds(10)).until(() -> total(recorders) > heard + 10);
      etcd.member(0).clientProxy().reset();
      await().atMost(Duration.ofSeconds(10)).until(() -> stream.streamsOpened() > opens);
    }
    writing.set(false);
    load.join(TimeUnit.SECONDS.toMillis(10));

    for (int i = 0; i < services; i++) {
      Recorder recorder = recorders.get(i);
      List<Long> expected = written.get(i);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(recorder.revisions()).isEqualTo(expected));
      assertThat(recorder.resumed).hasSizeGreaterThanOrEqualTo(3);
      assertThat(recorder.errors).isEmpty();
    }
  }

  // ---- helpers ----

  private List<Recorder> watchMany(int count, long from) {
    List<Recorder> recorders = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      recorders.add(watch(service(i), from));
    }
    for (Recorder recorder : recorders) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !recorder.notices.isEmpty());
    }
    return recorders;
  }

  private Recorder watch(String servicePrefix, long from) {
    Recorder recorder = new Recorder();
    opened.add(stream.watch(servicePrefix, from, false, recorder));
    return recorder;
  }

  private String service(int i) {
    return prefix + "s" + i + "/";
  }

  private long put(String key, String value) throws Exception {
    return writer
        .getKVClient()
        .put(bytes(key), bytes(value))
        .get(5, TimeUnit.SECONDS)
        .getHeader()
        .getRevision();
  }

  private static int total(List<Recorder> recorders) {
    return recorders.stream().mapToInt(r -> r.events.size()).sum();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** What one watch heard, in order; called on the stream's thread, read by the test. */
  static final class Recorder implements RangeSource.WatchListener {
    final List<KvEvent> events = new CopyOnWriteArrayList<>();
    final List<List<KvEvent>> batches = new CopyOnWriteArrayList<>();
    final List<Long> notices = new CopyOnWriteArrayList<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final List<Throwable> resumed = new CopyOnWriteArrayList<>();

    @Override
    public void onEvents(List<KvEvent> batch, long revision) {
      if (batch.isEmpty()) {
        notices.add(revision);
      } else {
        batches.add(batch);
        events.addAll(batch);
      }
    }

    @Override
    public void onError(Throwable error) {
      errors.add(error);
    }

    @Override
    public void onCompleted() {
      errors.add(new IllegalStateException("completed"));
    }

    @Override
    public void onResumed(Throwable cause) {
      resumed.add(cause == null ? new IllegalStateException("completed") : cause);
    }

    List<String> keys() {
      return events.stream().map(e -> e.kv().key()).toList();
    }

    List<Long> revisions() {
      return events.stream().map(e -> e.kv().modRevision()).toList();
    }
  }
}
