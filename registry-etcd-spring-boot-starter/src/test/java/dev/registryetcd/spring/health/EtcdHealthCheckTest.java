package dev.registryetcd.spring.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.etcd.RegistryStatus;
import dev.registryetcd.etcd.ResolverStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * When the statuses say etcd went silent, on a hand-driven clock: each test sets when etcd last
 * answered and the time of the check.
 */
class EtcdHealthCheckTest {
  private static final Instant T0 = Instant.parse("2026-12-02T12:00:00Z");
  private static final Duration REGISTRY_BOUND = Duration.ofSeconds(24); // TTL 60 s
  private static final Duration RESOLVER_BOUND = Duration.ofMillis(3500);

  private static RegistryStatus registry(Instant lastContact, Duration bound) {
    return new RegistryStatus(1, 0x1234, true, 0, 0, null, false, lastContact, bound);
  }

  private static ResolverStatus resolver(Instant lastContact, Duration bound) {
    return new ResolverStatus(1, 2, Set.of(), false, 0, false, lastContact, bound);
  }

  private static Instant at(long millis) {
    return T0.plusMillis(millis);
  }

  @Test
  void upWhileTheResolverHeardEtcdWithinItsBound() {
    EtcdHealthCheck.Result result =
        EtcdHealthCheck.judge(
            registry(at(0), REGISTRY_BOUND), resolver(at(1000), RESOLVER_BOUND), at(4500));

    assertThat(result.up()).isTrue();
    assertThat(result.details())
        .containsEntry("lastContact", "3.5s ago")
        .doesNotContainKey("problem");
  }

  @Test
  void downOnceTheMostRecentAnswerIsOlderThanTheSmallestBound() {
    EtcdHealthCheck.Result result =
        EtcdHealthCheck.judge(
            registry(at(0), REGISTRY_BOUND), resolver(at(1000), RESOLVER_BOUND), at(4501));

    assertThat(result.up()).isFalse();
    assertThat(result.details())
        .containsEntry("lastContact", "3.5s ago")
        .containsEntry("problem", "etcd has not answered for 3.5s");
  }

  @Test
  void theMostRecentAnswerOfEitherComponentCounts() {
    // The resolver has not heard etcd for 10 s, the registry's keep-alive was answered 1 s ago.
    EtcdHealthCheck.Result result =
        EtcdHealthCheck.judge(
            registry(at(9000), REGISTRY_BOUND), resolver(at(0), RESOLVER_BOUND), at(10_000));

    assertThat(result.up()).isTrue();
    assertThat(result.details()).containsEntry("lastContact", "1.0s ago");
  }

  @Test
  void aRegistryAloneHasTheRhythmOfItsKeepAlives() {
    assertThat(EtcdHealthCheck.judge(registry(at(0), REGISTRY_BOUND), null, at(24_000)).up())
        .isTrue();

    EtcdHealthCheck.Result silent =
        EtcdHealthCheck.judge(registry(at(0), REGISTRY_BOUND), null, at(30_000));
    assertThat(silent.up()).isFalse();
    assertThat(silent.details())
        .containsEntry("problem", "etcd has not answered for 30.0s")
        .containsEntry("registrations", 1)
        .containsEntry("leaseId", "1234")
        .containsEntry("leaseAlive", true);
  }

  @Test
  void aComponentThatAsksEtcdNothingDoesNotMakeItsSilenceAProblem() {
    // A resolver that watches nothing, a registry that holds nothing: no bound, no request.
    EtcdHealthCheck.Result idle =
        EtcdHealthCheck.judge(
            new RegistryStatus(0, 0, false, 0, 0, null, false, at(0), null),
            new ResolverStatus(0, 0, Set.of(), false, 0, false, at(0), null),
            at(3_600_000));
    assertThat(idle.up()).isTrue();
    assertThat(idle.details()).containsEntry("lastContact", "3600.0s ago");

    // An idle resolver beside a registry that keeps a lease: the registry's bound decides.
    EtcdHealthCheck.Result registryBound =
        EtcdHealthCheck.judge(registry(at(0), REGISTRY_BOUND), resolver(at(0), null), at(10_000));
    assertThat(registryBound.up()).isTrue();
  }

  @Test
  void silenceComesFirstAndTheComponentsProblemsFollow() {
    RegistryStatus recovering =
        new RegistryStatus(
            1, 0, false, 1, 3, "lease lost; recovering", false, at(0), REGISTRY_BOUND);
    ResolverStatus failing =
        new ResolverStatus(1, 2, Set.of("echo"), true, 4, false, at(0), RESOLVER_BOUND);

    EtcdHealthCheck.Result result = EtcdHealthCheck.judge(recovering, failing, at(5000));

    assertThat(result.up()).isFalse();
    assertThat(result.details())
        .containsEntry(
            "problem",
            "etcd has not answered for 5.0s; lease lost; recovering; cannot read etcd for [echo]; "
                + "cannot read the service names from etcd")
        .containsEntry("failingServices", new java.util.TreeSet<>(Set.of("echo")))
        .containsEntry("serviceNamesFailing", true)
        .containsEntry("watchRestarts", 4L);
    assertThat(result.details().keySet())
        .containsExactly(
            "registrations",
            "leaseId",
            "leaseAlive",
            "cachedServices",
            "cachedInstances",
            "failingServices",
            "serviceNamesFailing",
            "watchRestarts",
            "lastContact",
            "problem");
  }

  @Test
  void neverAnsweredIsSaidAndLeftToTheComponentsProblems() {
    RegistryStatus waiting =
        new RegistryStatus(1, 0, false, 0, 0, "etcd did not answer", false, null, REGISTRY_BOUND);

    EtcdHealthCheck.Result result = EtcdHealthCheck.judge(waiting, null, at(60_000));

    assertThat(result.up()).isFalse();
    assertThat(result.details())
        .containsEntry("lastContact", "never")
        .containsEntry("problem", "etcd did not answer");
  }

  @Test
  void aClockThatWentBackCountsAsJustNow() {
    EtcdHealthCheck.Result result =
        EtcdHealthCheck.judge(null, resolver(at(5000), RESOLVER_BOUND), at(0));

    assertThat(result.up()).isTrue();
    assertThat(result.details()).containsEntry("lastContact", "0.0s ago");
  }
}
