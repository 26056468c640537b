package dev.registryetcd.etcd.internal.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.ManualScheduler;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The engine's liveness rules, without etcd: a hand-driven loop and clock, a source answered by the
 * test. A watch is confirmed against etcd's revision, asks for progress only when it has not heard
 * it, and is moved to a new stream from the last revision it applied when it does not show it
 * within the bound. Each test runs in milliseconds.
 */
@Timeout(5)
class RangeWatchLivenessTest {
  private static final Liveness LIVENESS =
      new Liveness(Duration.ofSeconds(1), Duration.ofMillis(500));

  private final ManualScheduler loop = new ManualScheduler();
  private final FakeSource source = new FakeSource();
  private final List<String> heard = new ArrayList<>();
  private RangeWatch watch;

  {
    watch =
        new RangeWatch(
            RangeWatch.Range.of("p/echo/"),
            source,
            loop,
            Backoff.DEFAULT,
            LIVENESS,
            new RangeWatch.Listener() {
              @Override
              public void onRead(RangeRead read) {
                heard.add("read@" + read.revision() + (watch.isConfirmed() ? "" : " unconfirmed"));
              }

              @Override
              public void onReadFailed(Throwable error) {
                heard.add("readFailed");
              }

              @Override
              public void onEvents(List<KvEvent> events, long receivedNanos) {
                heard.add("events@" + events.get(events.size() - 1).kv().modRevision());
              }

              @Override
              public void onRestart(Throwable cause) {
                heard.add("restart " + cause.getClass().getSimpleName());
              }
            });
  }

  @BeforeEach
  void readAtTenAndWatch() {
    watch.read();
    source.lastRead().answer().complete(new RangeRead(List.of(), 10));
    loop.runReady();
    assertThat(watch.isConfirmed()).isTrue();
  }

  @Test
  void aWatchThatHeardEtcdsRevisionIsConfirmedWithoutAnyRequest() {
    watch.confirm(10); // etcd idle since the read
    event(12, 12); // events flowing
    watch.confirm(12);

    assertThat(source.lastWatch().progressRequests).isZero();
    assertThat(watch.isConfirmed()).isTrue();
    loop.advance(Duration.ofSeconds(5));
    assertThat(source.watches).hasSize(1);
    assertThat(heard).containsExactly("read@10", "events@12");
  }

  @Test
  void aWatchBehindEtcdsRevisionAsksForProgressAndItsAnswerConfirmsItWithoutARestart() {
    watch.confirm(15);
    assertThat(source.lastWatch().progressRequests).isEqualTo(1);
    assertThat(watch.isConfirmed()).isTrue(); // not yet overdue

    loop.advance(Duration.ofMillis(100));
    source.lastWatch().listener.onEvents(List.of(), 15);
    loop.advance(Duration.ofSeconds(5));

    assertThat(watch.isConfirmed()).isTrue();
    assertThat(source.watches).hasSize(1);
    assertThat(source.lastWatch().closed).isFalse();
    assertThat(heard).containsExactly("read@10");
  }

  @Test
  void aWatchThatDoesNotShowTheRevisionWithinTheBoundIsUnconfirmedAndResumesOnANewStream() {
    event(12, 12);
    watch.confirm(15);
    loop.advance(Duration.ofMillis(499));
    assertThat(watch.isConfirmed()).isTrue();

    loop.advance(Duration.ofMillis(1));

    assertThat(watch.isConfirmed()).isFalse();
    assertThat(heard).endsWith("restart WatchUnconfirmedException");
    assertThat(source.watches).hasSize(1); // the source resumes it: no new watch
    assertThat(source.lastWatch().closed).isFalse();
    assertThat(source.lastWatch().moves).hasSize(1);
    assertThat(((WatchUnconfirmedException) source.lastWatch().moves.get(0)).applied())
        .isEqualTo(12); // resumed after the last event applied
    assertThat(source.reads).hasSize(1); // no read: the cache keeps what it has

    source.lastWatch().listener.onEvents(List.of(), 15); // the new stream's creation notice
    loop.runReady();
    assertThat(watch.isConfirmed()).isTrue();
    loop.advance(Duration.ofSeconds(5));
    assertThat(source.lastWatch().moves).hasSize(1);
  }

  @Test
  void throughAnEndpointThatAnswersNoProgressAnAnsweredWatchIsConfirmedWithoutAMove() {
    source.lastWatch().listener.onEvents(List.of(), 11); // its creation
    loop.runReady();
    source.lastWatch().answersProgress = false; // etcd's grpc-proxy

    watch.confirm(15);
    loop.advance(Duration.ofSeconds(5));

    assertThat(watch.isConfirmed()).isTrue();
    assertThat(source.lastWatch().progressRequests).isEqualTo(1); // an answer would put it right
    assertThat(source.lastWatch().moves).isEmpty();
  }

  @Test
  void throughAnEndpointThatAnswersNoProgressAResumedWatchIsConfirmedByItsNewCreation() {
    source.lastWatch().listener.onEvents(List.of(), 12);
    source.lastWatch().listener.onResumed(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();
    source.lastWatch().answersProgress = false;
    // the proxy makes up the creation of a watch joining a range it watches: its start revision
    source.lastWatch().listener.onEvents(List.of(), 11);
    loop.advance(Duration.ofSeconds(5));

    assertThat(watch.isConfirmed()).isTrue();
    assertThat(source.lastWatch().moves).isEmpty();
  }

  @Test
  void throughAnEndpointThatAnswersNoProgressAResumedWatchNotAnsweredMovesAsOnAMember() {
    source.lastWatch().listener.onEvents(List.of(), 12);
    source.lastWatch().listener.onResumed(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();
    source.lastWatch().answersProgress = false;
    loop.advance(Duration.ofMillis(500));

    assertThat(watch.isConfirmed()).isFalse();
    assertThat(source.lastWatch().moves).hasSize(1);
  }

  @Test
  void aMemberThatAnswersBelowTheRevisionIsBehindAndTheWatchMoves() {
    watch.confirm(15);
    source.lastWatch().listener.onEvents(List.of(), 11); // cut off from its peers, it answers
    loop.advance(Duration.ofMillis(500));

    assertThat(watch.isConfirmed()).isFalse();
    assertThat(source.lastWatch().moves).hasSize(1);
  }

  @Test
  void aMovedWatchThatStaysSilentMovesAgainThreeTimesThenWaitsForTheNextCheck() {
    watch.confirm(15);
    loop.advance(Duration.ofMillis(500));
    loop.advance(Duration.ofMillis(500));
    loop.advance(Duration.ofMillis(500));
    assertThat(source.lastWatch().moves).hasSize(3);
    loop.advance(Duration.ofSeconds(5));
    assertThat(source.lastWatch().moves).hasSize(3);
    assertThat(watch.isConfirmed()).isFalse();

    watch.confirm(16);
    assertThat(source.lastWatch().progressRequests).isEqualTo(2);
    loop.advance(Duration.ofMillis(500));
    assertThat(source.lastWatch().moves).hasSize(4);
  }

  @Test
  void aWatchWhoseStreamBrokeIsResumedWithoutAReadAndItsNewStreamMustShowWhatTheOldOneShowed() {
    event(12, 14);
    source.lastWatch().listener.onResumed(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();

    assertThat(heard).containsExactly("read@10", "events@12", "restart StatusRuntimeException");
    assertThat(source.reads).hasSize(1);
    assertThat(watch.isConfirmed()).isTrue(); // until the bound says otherwise
    loop.advance(Duration.ofMillis(500)); // the new stream showed nothing
    assertThat(watch.isConfirmed()).isFalse();
    assertThat(source.lastWatch().moves).hasSize(1);
    assertThat(((WatchUnconfirmedException) source.lastWatch().moves.get(0)).wanted())
        .isEqualTo(14);

    source.lastWatch().listener.onEvents(List.of(), 14);
    loop.runReady();
    assertThat(watch.isConfirmed()).isTrue();
  }

  @Test
  void aWatchMovedBecauseAnotherWatchOnItsStreamWasUnconfirmedReportsItOnceNotTwice() {
    watch.confirm(15); // asks, deadline pending
    source
        .lastWatch()
        .listener
        .onResumed(new WatchUnconfirmedException(15, 10, 10, Duration.ofMillis(500)));
    loop.runReady();
    assertThat(heard).containsExactly("read@10"); // its own deadline reports it, if it comes

    source.lastWatch().listener.onEvents(List.of(), 15); // the new stream's creation notice
    loop.advance(Duration.ofSeconds(2));
    assertThat(watch.isConfirmed()).isTrue();
    assertThat(heard).containsExactly("read@10");
    assertThat(source.lastWatch().moves).isEmpty();
  }

  @Test
  void aDeadlineOfAConfirmationAlreadyAnsweredDoesNothing() {
    watch.confirm(15);
    source.lastWatch().listener.onEvents(List.of(), 15);
    loop.runReady();
    watch.confirm(15); // heard already: no new request, no new deadline
    loop.advance(Duration.ofSeconds(2));

    assertThat(source.lastWatch().progressRequests).isEqualTo(1);
    assertThat(source.watches).hasSize(1);
    assertThat(watch.isConfirmed()).isTrue();
  }

  @Test
  void aWatchIsUnconfirmedFromItsEndUntilTheReadAfterItAnswers() {
    source.lastWatch().listener.onError(Status.UNAVAILABLE.asRuntimeException());
    loop.runReady();
    assertThat(watch.isConfirmed()).isFalse();
    watch.confirm(15); // no running watch: nothing to ask
    loop.advance(Duration.ofMillis(120));

    source.lastRead().answer().complete(new RangeRead(List.of(), 16));
    loop.runReady();
    assertThat(watch.isConfirmed()).isTrue();
    assertThat(heard).endsWith("read@16"); // confirmed already when the listener heard it
  }

  @Test
  void unconfirmMarksTheWatchUntilTheNextConfirmShowsItLive() {
    watch.unconfirm();
    assertThat(watch.isConfirmed()).isFalse();

    watch.confirm(10);
    assertThat(watch.isConfirmed()).isTrue();
    assertThat(source.lastWatch().progressRequests).isZero();
  }

  @Test
  void afterCloseNoConfirmationAsksOrMovesAnything() {
    watch.confirm(15);
    watch.close();
    loop.advance(Duration.ofSeconds(2));
    watch.confirm(20);

    assertThat(source.watches).hasSize(1);
    assertThat(source.lastWatch().progressRequests).isEqualTo(1);
    assertThat(source.lastWatch().moves).isEmpty();
  }

  /** A response with one put at {@code modRevision}, its member at {@code revision}. */
  private void event(long modRevision, long revision) {
    source
        .lastWatch()
        .listener
        .onEvents(
            List.of(new KvEvent(KvEvent.Type.PUT, new Kv("p/echo/a", new byte[0], modRevision, 0))),
            revision);
    loop.runReady();
  }
}
