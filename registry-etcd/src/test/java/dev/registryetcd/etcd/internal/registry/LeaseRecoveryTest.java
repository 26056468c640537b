package dev.registryetcd.etcd.internal.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.ManualScheduler;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recovery rules, on a hand-driven clock: each test runs in milliseconds. */
class LeaseRecoveryTest {
  private static final Duration RETRY_DELAY = Duration.ofSeconds(10);
  private static final Duration OBSERVE_DELAY = Duration.ofSeconds(30);

  private final ManualScheduler clock = new ManualScheduler();
  private final RecordedLog log = new RecordedLog();
  private RuntimeException nextFailure;
  private boolean etcdAnswers;
  private int attempts;
  private int probes;
  private Duration probeHangs;

  private LeaseRecovery recovery(int maxAttempts) {
    RetryConfig retry =
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(maxAttempts),
            RetryConfig.withRetryDelay(RETRY_DELAY),
            RetryConfig.withObserveDelay(OBSERVE_DELAY));
    // random 0.5: the spread of a delay is the delay itself
    return new LeaseRecovery(
        retry,
        clock,
        Backoff.DEFAULT.withRandom(() -> 0.5),
        () -> {
          attempts++;
          if (nextFailure != null) {
            throw nextFailure;
          }
          return new LeaseRecovery.Recovered(7, 2, false);
        },
        () -> {
          probes++;
          if (probeHangs != null) {
            clock.advance(probeHangs); // the probe waits that long for an answer
          }
          return etcdAnswers;
        },
        log);
  }

  private static RegistryException unreachable() {
    return new RegistryException(RegistryException.Reason.UNREACHABLE, "etcd is unavailable", null);
  }

  private static RegistryException denied() {
    return new RegistryException(RegistryException.Reason.PERMISSION, "permission denied", null);
  }

  @Test
  void aLossIsRecoveredAtOnceWhenTheFirstAttemptSucceeds() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();

    assertThat(recovery.lost("lease gone", 2)).isNull();

    assertThat(recovery.state()).isEqualTo(LeaseRecovery.State.LEASED);
    assertThat(recovery.recoveries()).isEqualTo(1);
    assertThat(recovery.problem()).isNull();
    assertThat(log.lines).containsExactly("lost 2", "recovered 2 lease 7 after 0 in PT0S");
    assertThat(clock.pending()).isZero();
  }

  @Test
  void failedAttemptsComeBackEveryRetryDelayUntilOneSucceeds() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();
    nextFailure = denied();

    assertThat(recovery.lost("lease gone", 2)).isSameAs(nextFailure);
    assertThat(recovery.state()).isEqualTo(LeaseRecovery.State.RECOVERING);
    assertThat(recovery.problem()).contains("failed 1 time(s)").contains("permission denied");

    clock.advance(RETRY_DELAY.minusMillis(1));
    assertThat(attempts).isEqualTo(1);
    clock.advance(Duration.ofMillis(1));
    assertThat(attempts).isEqualTo(2);

    nextFailure = null;
    clock.advance(RETRY_DELAY);
    assertThat(attempts).isEqualTo(3);
    assertThat(recovery.isLeased()).isTrue();
    assertThat(log.lines).last().isEqualTo("recovered 2 lease 7 after 2 in PT20S");
    assertThat(recovery.failedAttempts()).isZero();
    assertThat(clock.pending()).isZero();
  }

  @Test
  void theFirstFailureIsTheErrorExhaustionIsSaidOnceAndThenEveryObserveDelayIsTried() {
    LeaseRecovery recovery = recovery(3);
    recovery.leased();
    nextFailure = denied();

    recovery.lost("lease gone", 1);
    clock.advance(RETRY_DELAY.multipliedBy(2));
    assertThat(attempts).isEqualTo(3);
    assertThat(clock.nextDue()).isEqualTo(OBSERVE_DELAY);
    clock.advance(OBSERVE_DELAY.multipliedBy(2));

    assertThat(attempts).isEqualTo(5);
    assertThat(log.lines)
        .containsExactly(
            "lost 1",
            "failed 1 of 3, next in PT10S",
            "failed 2 of 3, next in PT10S",
            "exhausted after 3, next in PT30S",
            "failed 4 of 3, next in PT30S",
            "failed 5 of 3, next in PT30S");
  }

  @Test
  void whileEtcdIsUnreachableTheNextAttemptComesAsSoonAsAProbeIsAnswered() {
    LeaseRecovery recovery = recovery(1);
    recovery.leased();
    nextFailure = unreachable();

    recovery.lost("lease gone", 2);
    assertThat(log.lines).contains("exhausted after 1, next in PT30S");
    clock.advance(Duration.ofSeconds(5));
    assertThat(probes).isEqualTo(5);
    assertThat(attempts).isEqualTo(1);

    etcdAnswers = true;
    nextFailure = null;
    clock.advance(LeaseRecovery.PROBE_INTERVAL);

    assertThat(attempts).isEqualTo(2);
    assertThat(recovery.isLeased()).isTrue();
    assertThat(log.lines).last().isEqualTo("recovered 2 lease 7 after 1 in PT6S");
    assertThat(clock.pending()).as("no probe and no attempt left behind").isZero();
  }

  @Test
  void aFirstRegistrationThatCannotReachEtcdIsAttemptedAgainOnceAProbeIsAnswered() {
    LeaseRecovery recovery = recovery(5);

    recovery.registrationFailed("registering k failed", unreachable());

    assertThat(recovery.state()).isEqualTo(LeaseRecovery.State.RECOVERING);
    assertThat(recovery.problem()).contains("etcd is unavailable");
    assertThat(attempts).as("the failed registration counts as the first attempt").isZero();
    assertThat(log.lines).doesNotContain("lost 2");
    clock.advance(Duration.ofSeconds(3));
    assertThat(probes).isEqualTo(3);

    etcdAnswers = true;
    clock.advance(LeaseRecovery.PROBE_INTERVAL);

    assertThat(attempts).isEqualTo(1);
    assertThat(recovery.isLeased()).isTrue();
    assertThat(recovery.problem()).isNull();
    assertThat(clock.pending()).as("no probe and no attempt left behind").isZero();
  }

  @Test
  void aProbeThatWaitsForItsAnswerDoesNotPutOffTheNextOne() {
    LeaseRecovery recovery = recovery(5);
    recovery.registrationFailed("registering k failed", unreachable());
    probeHangs = Duration.ofMillis(900);
    clock.advance(LeaseRecovery.PROBE_INTERVAL);
    assertThat(probes).isEqualTo(1);

    probeHangs = null;
    etcdAnswers = true;
    // the next probe starts one interval after the last one started, not after it gave up
    clock.advance(LeaseRecovery.PROBE_INTERVAL);

    assertThat(probes).isEqualTo(2);
    assertThat(recovery.isLeased()).isTrue();
  }

  @Test
  void aFailedRegistrationChangesNothingOnceALeaseIsHeld() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();

    recovery.registrationFailed("registering k failed", unreachable());

    assertThat(recovery.isLeased()).isTrue();
    assertThat(clock.pending()).isZero();
  }

  @Test
  void etcdIsNotProbedWhenItAnsweredWithARefusal() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();
    nextFailure = denied();

    recovery.lost("lease gone", 1);
    clock.advance(Duration.ofSeconds(5));

    assertThat(probes).isZero();
    assertThat(attempts).isEqualTo(1);
  }

  @Test
  void anAttemptMadeNowReplacesTheScheduledOne() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();
    nextFailure = unreachable();
    recovery.lost("lease gone", 1);

    recovery.attemptNow(); // a caller registers meanwhile
    assertThat(attempts).isEqualTo(2);
    assertThat(clock.pending()).isEqualTo(2); // one attempt and one probe, not two of each

    clock.advance(RETRY_DELAY);
    assertThat(attempts).isEqualTo(3);
  }

  @Test
  void aLossDuringRecoveryStartsNothingNew() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();
    nextFailure = denied();
    recovery.lost("lease gone", 1);

    assertThat(recovery.lost("again", 1)).isNull();

    assertThat(attempts).isEqualTo(1);
    assertThat(log.lines).containsOnlyOnce("lost 1");
  }

  @Test
  void closingStopsEveryAttemptAndProbe() {
    LeaseRecovery recovery = recovery(5);
    recovery.leased();
    nextFailure = unreachable();
    recovery.lost("lease gone", 1);

    recovery.close();
    etcdAnswers = true;
    clock.advance(OBSERVE_DELAY);

    assertThat(recovery.state()).isEqualTo(LeaseRecovery.State.CLOSED);
    assertThat(attempts).isEqualTo(1);
    assertThat(probes).isZero();
    assertThat(recovery.lost("after close", 1)).isNull();
    assertThat(recovery.attemptNow()).isNull();
  }

  @Test
  void nothingIsWrittenBeforeTheFirstLease() {
    LeaseRecovery recovery = recovery(5);

    assertThat(recovery.state()).isEqualTo(LeaseRecovery.State.NO_LEASE);
    assertThat(recovery.isLeased()).isFalse();
    recovery.leased();
    assertThat(recovery.state()).isEqualTo(LeaseRecovery.State.LEASED);
  }

  private static final class RecordedLog implements RecoveryLog {
    final List<String> lines = new ArrayList<>();

    @Override
    public void lost(String reason, int registrations) {
      lines.add("lost " + registrations);
    }

    @Override
    public void attemptFailed(
        int attempt, int maxAttempts, RuntimeException failure, Duration retryIn) {
      lines.add("failed " + attempt + " of " + maxAttempts + ", next in " + retryIn);
    }

    @Override
    public void exhausted(int attempts, RuntimeException failure, Duration retryIn) {
      lines.add("exhausted after " + attempts + ", next in " + retryIn);
    }

    @Override
    public void recovered(
        int registrations, long leaseId, boolean leaseKept, int failedAttempts, Duration outage) {
      lines.add(
          "recovered "
              + registrations
              + " lease "
              + leaseId
              + " after "
              + failedAttempts
              + " in "
              + outage);
    }
  }
}
