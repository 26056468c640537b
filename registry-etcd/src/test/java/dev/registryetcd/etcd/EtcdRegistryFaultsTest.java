package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults on a single etcd, with real signals: each test gets its own etcd. */
class EtcdRegistryFaultsTest {
  private static final String PREFIX = "kitex/registry-etcd/echo/";
  private static final Duration TTL = Duration.ofSeconds(2);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private EtcdRegistry newRegistry(int maxAttempts, Duration observeDelay) {
    return EtcdRegistry.newEtcdRegistryWithRetry(
        etcd.clientEndpointsAsHostPort(),
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(maxAttempts),
            RetryConfig.withRetryDelay(Duration.ofMillis(300)),
            RetryConfig.withObserveDelay(observeDelay)),
        Option.withLeaseTtl(TTL),
        Option.withDialTimeoutOpt(Duration.ofSeconds(1)));
  }

  private static Info echo(int port) {
    return Info.builder()
        .serviceName("echo")
        .address(new InetSocketAddress("127.0.0.1", port))
        .build();
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
                    registry.register(echo(port));
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

      try (EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
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
        EtcdResolver resolver = EtcdResolver.newEtcdResolver(etcd.clientEndpointsAsHostPort())) {
      registry.register(echo(1));
      registry.register(echo(2));
      assertThat(resolver.resolve("echo").instances()).hasSize(2);

      etcd.member(0).freeze();
      // the registry notices: its keep-alive gets no answer within the TTL, and it drops the lease
      await().atMost(TTL.multipliedBy(5)).until(() -> registry.leaseId() == 0);
      etcd.member(0).thaw();

      try (EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  Map<String, Long> leases = probe.leasesUnder(PREFIX);
                  assertThat(leases).containsOnlyKeys(key(1), key(2));
                  assertThat(Set.copyOf(leases.values())).containsExactly(registry.leaseId());
                  assertThat(probe.ttlOf(registry.leaseId())).isPositive();
                  assertThat(resolver.resolve("echo").instances()).hasSize(2);
                });
      }
    }
  }

  @Test
  void exhaustedAttemptsAreReportedOnceAtErrorAndRecoveryGoesOnEveryObserveDelay() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try (EtcdRegistry registry = newRegistry(2, Duration.ofSeconds(1))) {
      registry.register(echo(1));

      etcd.member(0).kill();
      // lease lost after the TTL without answers, then 2 failed attempts, then observe-delay
      // attempts
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> captured.toString(StandardCharsets.UTF_8).contains("failed 2 times in a row"));
      etcd.member(0).restart();

      try (EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  assertThat(probe.leasesUnder(PREFIX)).containsOnlyKeys(key(1));
                  assertThat(probe.kv(key(1)).getLease()).isEqualTo(registry.leaseId());
                });
      }
    } finally {
      System.setErr(original);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log.split(Pattern.quote("failed 2 times in a row"), -1)).hasSize(2);
    assertThat(log).contains("ERROR").contains("Re-registered 1 instance(s)");
  }

  @Test
  void closingWhileEtcdDoesNotAnswerNamesTheKeysThatStayAndTheirExpiry() {
    EtcdRegistry registry = newRegistry(0, Duration.ofSeconds(30));
    registry.register(echo(1));
    registry.register(echo(2));
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
    registry.register(echo(1));
    etcd.member(0).kill();
    await().atMost(Duration.ofSeconds(10)).until(() -> registryThreads().size() > 0);

    long start = System.nanoTime();
    registry.close();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> registryThreads().isEmpty());

    etcd.member(0).restart();
    try (EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
      // the old lease comes back with etcd, unrenewed: its key expires within the TTL and nobody
      // re-puts it
      await().atMost(TTL.plusSeconds(5)).until(() -> probe.leasesUnder(PREFIX).isEmpty());
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> probe.leasesUnder(PREFIX).isEmpty());
    }
  }

  private static Set<String> registryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("registry-etcd-registry-"))
        .collect(Collectors.toSet());
  }
}
