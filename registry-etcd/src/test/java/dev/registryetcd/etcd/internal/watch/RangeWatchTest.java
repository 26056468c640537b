package dev.registryetcd.etcd.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.ManualScheduler;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's restart rules, without etcd: a hand-driven loop and clock, a source answered by the
 * test. Each test runs in milliseconds.
 */
@Timeout(5)
class RangeWatchTest {
  private static final Kv KEY = new Kv("p/echo/a", new byte[] {1}, 7, 0);

  private final ManualScheduler loop = new ManualScheduler();
  private final FakeSource source = new FakeSource();
  private final List<String> heard = new ArrayList<>();
  private RangeWatch watch;
  private final RangeWatch.Listener listener =
      new RangeWatch.Listener() {
        @Override
        public void onRead(RangeRead read) {
          heard.add("read@" + read.revision() + " failures=" + watch.failures());
        }

        @Override
        public void onReadFailed(Throwable error) {
          heard.add("readFailed " + error.getMessage());
          watch.readAfterFailure();
        }

        @Override
        public void onEvents(List<KvEvent> events, long receivedNanos) {
          heard.add("events " + events.size());
        }

        @Override
        public void onRestart(Throwable cause) {
          heard.add("restart " + (cause == null ? "completed" : cause.getClass().getSimpleName()));
        }
      };

  {
    watch = new RangeWatch(RangeWatch.Range.of("p/echo/"), source, loop, Backoff.DEFAULT, listener);
  }

  @Test
  void aReadIsFollowedByAWatchFromTheNextRevisionAndItsEvents() {
    watch.read();
    answerRead(10);

    assertThat(heard).containsExactly("read@10 failures=0");
    assertThat(source.watches).hasSize(1);
    assertThat(source.lastWatch().prefix).isEqualTo("p/echo/");
    assertThat(source.lastWatch().fromRevision).isEqualTo(11);
    assertThat(source.lastWatch().noPut).isFalse();

    source.lastWatch().listener.onEvents(List.of(new KvEvent(KvEvent.Type.PUT, KEY)), 0);
    assertThat(heard).hasSize(1); // the source's thread only hands the events to the loop
    loop.runReady();
    assertThat(heard).containsExactly("read@10 failures=0", "events 1");
  }

  @Test
  void aFailedWatchIsClosedAndReadAgainAfterABackoffThatGrowsWhileReadsFailAndResetsAfterOne() {
    watch.read();
    answerRead(10);

    source.lastWatch().listener.onError(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();

    assertThat(heard).containsExactly("read@10 failures=0", "restart StatusRuntimeException");
    assertThat(source.watches.get(0).closed).isTrue();
    assertThat(source.reads).hasSize(1);
    assertThat(loop.delays()).hasSize(1);
    assertThat(loop.delays().get(0)).isBetween(Duration.ofMillis(80), Duration.ofMillis(120));
    loop.advance(Duration.ofMillis(79));
    assertThat(source.reads).hasSize(1);
    loop.advance(Duration.ofMillis(41));
    assertThat(source.reads).hasSize(2);

    source.lastRead().answer().completeExceptionally(new IllegalStateException("down"));
    loop.runReady();
    assertThat(heard).endsWith("readFailed down");
    assertThat(loop.delays().get(1)).isBetween(Duration.ofMillis(160), Duration.ofMillis(240));
    loop.advance(Duration.ofMillis(240));
    assertThat(source.reads).hasSize(3);

    answerRead(12);
    assertThat(heard).endsWith("read@12 failures=2");
    assertThat(watch.failures()).isZero();
    assertThat(source.lastWatch().fromRevision).isEqualTo(13);
  }

  @Test
  void aWatchThatFellBehindACompactionIsReadAgainAtOnceWithoutCountingAFailure() {
    watch.read();
    answerRead(10);

    source.lastWatch().listener.onError(EtcdExceptionFactory.newCompactedException(8));
    loop.runReady();

    assertThat(heard).endsWith("restart CompactedException");
    assertThat(source.reads).hasSize(2);
    assertThat(loop.delays()).isEmpty();
    assertThat(watch.failures()).isZero();
    answerRead(20);
    assertThat(source.lastWatch().fromRevision).isEqualTo(21);
  }

  @Test
  void aWatchThatCompletesOrCannotStartIsReadAgainAfterABackoff() {
    watch.read();
    answerRead(10);
    source.lastWatch().listener.onCompleted();
    loop.runReady();
    assertThat(heard).endsWith("restart completed");

    source.failNextWatchStart = new IllegalStateException("client closed");
    loop.advance(Duration.ofMillis(120));
    answerRead(11);
    assertThat(heard).endsWith("read@11 failures=1", "restart IllegalStateException");
    assertThat(loop.delays()).hasSize(2);
    loop.advance(Duration.ofMillis(120));
    assertThat(source.reads).hasSize(3);
  }

  @Test
  void whatAnEndedWatchStillDeliversIsIgnoredAndItEndsOnlyOnce() {
    watch.read();
    answerRead(10);
    RangeSource.WatchListener old = source.lastWatch().listener;

    old.onError(Status.UNAVAILABLE.asRuntimeException());
    old.onCompleted();
    old.onEvents(List.of(new KvEvent(KvEvent.Type.DELETE, KEY)), 0);
    loop.runReady();

    assertThat(heard).containsExactly("read@10 failures=0", "restart StatusRuntimeException");
    loop.advance(Duration.ofMillis(120));
    answerRead(11);
    old.onEvents(List.of(new KvEvent(KvEvent.Type.DELETE, KEY)), 0);
    old.onError(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();
    assertThat(heard)
        .containsExactly(
            "read@10 failures=0", "restart StatusRuntimeException", "read@11 failures=1");
  }

  @Test
  void theAnswerOfAnOlderReadIsIgnored() {
    watch.read();
    FakeSource.Read first = source.lastRead();
    watch.read();

    first.answer().complete(new RangeRead(List.of(KEY), 5));
    loop.runReady();
    assertThat(heard).isEmpty();
    assertThat(source.watches).isEmpty();

    answerRead(6);
    assertThat(heard).containsExactly("read@6 failures=0");
  }

  @Test
  void restartEndsARunningWatchForTheGivenReasonAndWithoutOneDoesNothing() {
    watch.restart(new IllegalStateException("before any watch"));
    assertThat(heard).isEmpty();

    watch.read();
    answerRead(10);
    watch.restart(new IllegalStateException("etcd's revision went back"));

    assertThat(heard).endsWith("restart IllegalStateException");
    assertThat(source.lastWatch().closed).isTrue();
    watch.restart(new IllegalStateException("again"));
    assertThat(heard).hasSize(2);
    loop.advance(Duration.ofMillis(120));
    assertThat(source.reads).hasSize(2);
  }

  @Test
  void afterCloseNothingReachesTheListenerAndNothingIsReadOrWatched() {
    watch.read();
    answerRead(10);
    RangeSource.WatchListener running = source.lastWatch().listener;
    watch.read(); // a read on its way when closing
    FakeSource.Read pending = source.lastRead();

    watch.close();
    running.onEvents(List.of(new KvEvent(KvEvent.Type.PUT, KEY)), 0);
    running.onError(Status.UNAVAILABLE.asRuntimeException());
    pending.answer().complete(new RangeRead(List.of(), 11));
    loop.advance(Duration.ofSeconds(10));
    watch.read();

    assertThat(heard).containsExactly("read@10 failures=0");
    assertThat(source.watches).hasSize(1);
    assertThat(source.watches.get(0).closed).isTrue();
    assertThat(source.reads).hasSize(2);
    assertThat(watch.isClosed()).isTrue();
  }

  @Test
  void aReadMadeElsewhereIsHeardAndWatchedFromAsIfTheEngineHadMadeIt() {
    watch.accept(new RangeRead(List.of(KEY), 30));

    assertThat(heard).containsExactly("read@30 failures=0");
    assertThat(source.reads).isEmpty();
    assertThat(source.lastWatch().fromRevision).isEqualTo(31);
  }

  @Test
  void withFirstAtOnceAnEndedWatchIsReadAgainAtOnceAndThenBacksOff() {
    watch =
        new RangeWatch(RangeWatch.Range.of("p/"), source, loop, Backoff.FIRST_AT_ONCE, listener);
    watch.read();
    answerRead(10);

    source.lastWatch().listener.onCompleted();
    loop.runReady();
    assertThat(source.reads).hasSize(2);
    source.lastRead().answer().completeExceptionally(new IllegalStateException("down"));
    loop.runReady();

    assertThat(loop.delays().get(0)).isZero();
    assertThat(loop.delays().get(1)).isBetween(Duration.ofMillis(160), Duration.ofMillis(240));
  }

  @Test
  void keysOnlyAndDeletionsOnlyRangesAskTheSourceForJustThat() {
    RangeWatch keys =
        new RangeWatch(RangeWatch.Range.keysOf("p/"), source, loop, Backoff.DEFAULT, listener);
    keys.read();
    assertThat(source.lastRead().keysOnly()).isTrue();

    RangeWatch deletions =
        new RangeWatch(
            new RangeWatch.Range("p/echo/", false, true), source, loop, Backoff.DEFAULT, listener);
    deletions.read();
    source.lastRead().answer().complete(new RangeRead(List.of(), 3));
    watch = deletions;
    loop.runReady();
    assertThat(source.lastWatch().noPut).isTrue();
  }

  @Test
  void aWatchResumedOnANewStreamHasNotAnsweredUntilItsCreationOrAnEventArrives() {
    watch.read();
    answerRead(10);
    assertThat(watch.hasAnsweredSinceRestart()).isTrue();

    RangeSource.WatchListener running = source.lastWatch().listener;
    running.onResumed(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();
    assertThat(heard).containsExactly("read@10 failures=0", "restart StatusRuntimeException");
    assertThat(watch.hasAnsweredSinceRestart()).isFalse();

    running.onEvents(List.of(), 12); // the new stream's creation notice
    loop.runReady();
    assertThat(watch.hasAnsweredSinceRestart()).isTrue();
    assertThat(source.reads).hasSize(1); // resumed, not read again

    running.onError(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();
    assertThat(watch.hasAnsweredSinceRestart()).isFalse();
    loop.advance(Duration.ofSeconds(5));
    answerRead(13);
    assertThat(watch.hasAnsweredSinceRestart()).isTrue();
  }

  /** Answers the last read with {@code revision} on the source's side, then runs the loop. */
  private void answerRead(long revision) {
    source.lastRead().answer().complete(new RangeRead(List.of(KEY), revision));
    loop.runReady();
  }
}
