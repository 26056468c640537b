package dev.registryetcd.etcd;

import static dev.registryetcd.etcd.EtcdFixture.echoAt;
import static dev.registryetcd.etcd.EtcdFixture.registryThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults on a single etcd, with real signals: each test gets its own etcd. */
class EtcdRegistryFaultsTest {
  private static final String PREFIX = "kitex/registry-etcd/echo/";
  private static final Duration TTL = Duration.ofSeconds(2);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  private EtcdRegistry newRegistry(int maxAttempts, Duration observeDelay) {
    return fixture.registry(
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(maxAttempts),
            RetryConfig.withRetryDelay(Duration.ofMillis(300)),
            RetryConfig.withObserveDelay(observeDelay)),
        Option.withLeaseTtl(TTL),
        Option.withDialTimeoutOpt(Duration.ofSeconds(2)));
  }

  private static String key(int port) {
    return PREFIX + "127.0.0.1:" + port;
  }

  @Test
  void aBurstOfRegistrationsThroughAnEtcdKillLeavesExactlyTheSuccessfulOnesOnOneLease()
      throws Exception {
    try (EtcdRegistry registry = newRegistry(0, Duration.ofSeconds(1))) {
      Set<String> succeeded = new HashSet<>();
      CompletableFuture<Void> burst =
          CompletableFuture.runAsync(
              () -> {
                for (int port = 1000; port < 1150; port++) {
                  try {
                    registry.register(echoAt(port));
                    synchronized (succeeded) {
                      succeeded.add(key(port));
                    }
                  } catch (RegistryException refusedWhileDown) {
                    // the caller learns it: this one is not registered
                  }
                }
              });
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                synchronized (succeeded) {
                  return succeeded.size() >= 30;
                }
              });
      etcd.member(0).kill();
      etcd.member(0).restart();
      burst.get();

      try (EtcdProbe probe = fixture.probe()) {
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  Map<String, Long> leases = probe.leasesUnder(PREFIX);
                  assertThat(leases.keySet()).containsExactlyInAnyOrderElementsOf(succeeded);
                  assertThat(Set.copyOf(leases.values())).containsExactly(registry.leaseId());
                });
        assertThat(probe.ttlOf(registry.leaseId())).isPositive();
      }
    }
  }

  @Test
  void freezingTheOnlyEtcdLongerThanTheTtlLosesNothingAfterTheThaw() {
    try (EtcdRegistry registry = newRegistry(0, Duration.ofSeconds(1));
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(echoAt(1));
      registry.register(echoAt(2));
      assertThat(resolver.resolve("echo").instances()).hasSize(2);

      etcd.member(0).freeze();
      // the registry notices: its keep-alive gets no answer within the TTL, and it drops the lease
      await().atMost(TTL.multipliedBy(5)).until(() -> registry.leaseId() == 0);
      etcd.member(0).thaw();

      fixture.awaitInEtcd(
          Duration.ofSeconds(15),
          probe -> {
            Map<String, Long> leases = probe.leasesUnder(PREFIX);
            assertThat(leases).containsOnlyKeys(key(1), key(2));
            assertThat(Set.copyOf(leases.values())).containsExactly(registry.leaseId());
            assertThat(probe.ttlOf(registry.leaseId())).isPositive();
            assertThat(resolver.resolve("echo").instances()).hasSize(2);
          });
    }
  }

  @Test
  void pastItsLastAttemptTheRegistryStillRecoversOnceEtcdIsBack() {
    AtomicInteger recoveries = new AtomicInteger();
    EtcdEvents events =
        new EtcdEvents() {
          @Override
          public void leaseRecovered(int registrations) {
            recoveries.incrementAndGet();
          }
        };
    try (EtcdRegistry registry =
        EtcdRegistry.builder()
            .endpoints(etcd.clientEndpointsAsHostPort())
            .retryConfig(
                RetryConfig.newRetryConfig(
                    RetryConfig.withMaxAttemptTimes(2),
                    RetryConfig.withRetryDelay(Duration.ofMillis(300)),
                    RetryConfig.withObserveDelay(Duration.ofSeconds(1))))
            .options(Option.withLeaseTtl(TTL), Option.withDialTimeoutOpt(Duration.ofSeconds(2)))
            .events(events)
            .build()) {
      registry.register(echoAt(1));

      etcd.member(0).kill();
      // lease lost after the TTL without answers, then 2 failed attempts: exhausted
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> String.valueOf(registry.status().problem()).contains("failed 2 time(s)"));
      assertThat(registry.status().healthy()).isFalse();
      etcd.member(0).restart();

      fixture.awaitInEtcd(
          Duration.ofSeconds(20),
          probe -> {
            assertThat(probe.leasesUnder(PREFIX)).containsOnlyKeys(key(1));
            assertThat(probe.kv(key(1)).getLease()).isEqualTo(registry.leaseId());
          });
      assertThat(recoveries).hasValue(1);
      assertThat(registry.status().healthy()).isTrue();
      assertThat(registry.status().leaseRecoveries()).isEqualTo(1);
    }
  }

  @Test
  void closingWhileEtcdDoesNotAnswerNamesTheKeysThatStayAndTheirExpiry() {
    EtcdRegistry registry = newRegistry(0, Duration.ofSeconds(30));
    registry.register(echoAt(1));
    registry.register(echoAt(2));
    long lease = registry.leaseId();

    etcd.member(0).freeze();
    try {
      long start = System.nanoTime();
      registry.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    } finally {
      etcd.member(0).thaw();
    }

    RegistryStatus status = registry.status();
    assertThat(status.closed()).isTrue();
    assertThat(status.healthy()).isFalse();
    assertThat(status.problem())
        .contains("could not remove " + key(1) + ", " + key(2))
        .contains("expire with lease " + Long.toHexString(lease))
        .contains("within " + TTL);
  }

  @Test
  void closingDuringRecoveryStopsEverythingAndNothingComesBackAfterwards() {
    EtcdRegistry registry = newRegistry(0, Duration.ofSeconds(1));
    // set-up, not the subject: the first request of a cold JVM on a busy machine may take longer
    // than the short dial timeout this class uses
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(() -> registry.register(echoAt(1)));
    etcd.member(0).kill();
    await().atMost(Duration.ofSeconds(10)).until(() -> registryThreads().size() > 0);

    long start = System.nanoTime();
    registry.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> registryThreads().isEmpty());

    etcd.member(0).restart();
    try (EtcdProbe probe = fixture.probe()) {
      // the old lease comes back with etcd, unrenewed: its key expires within the TTL and nobody
      // re-puts it
      await().atMost(TTL.plusSeconds(5)).until(() -> probe.leasesUnder(PREFIX).isEmpty());
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> probe.leasesUnder(PREFIX).isEmpty());
    }
  }
}
