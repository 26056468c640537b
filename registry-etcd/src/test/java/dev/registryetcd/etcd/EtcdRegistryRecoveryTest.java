package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registrations survive etcd's bad days: each test gets its own etcd to kill, wipe or freeze. */
class EtcdRegistryRecoveryTest {
  private static final String SERVICE = "echo";
  private static final String KEY_1 = "kitex/registry-etcd/echo/127.0.0.1:1";
  private static final String KEY_2 = "kitex/registry-etcd/echo/127.0.0.1:2";
  private static final Duration RETRY_DELAY = Duration.ofMillis(500);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  private EtcdRegistry newRegistry(Duration leaseTtl) {
    return fixture.registry(
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(0),
            RetryConfig.withRetryDelay(RETRY_DELAY),
            RetryConfig.withObserveDelay(Duration.ofSeconds(2))),
        Option.withLeaseTtl(leaseTtl),
        Option.withDialTimeoutOpt(Duration.ofSeconds(2)));
  }

  private static void registerTwo(EtcdRegistry registry) {
    registry.register(
        Info.builder().serviceName(SERVICE).address(new InetSocketAddress("127.0.0.1", 1)).build());
    registry.register(
        Info.builder().serviceName(SERVICE).address(new InetSocketAddress("127.0.0.1", 2)).build());
  }

  @Test
  void registrationsSurviveEtcdKilledAndRestartedOnTheSameDataDir() {
    try (EtcdRegistry registry = newRegistry(Duration.ofSeconds(5))) {
      registerTwo(registry);

      etcd.member(0).kill();
      etcd.member(0).restart();

      try (EtcdProbe probe = fixture.probe()) {
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  assertThat(probe.leasesUnder("kitex/registry-etcd/echo/"))
                      .containsOnlyKeys(KEY_1, KEY_2);
                  assertThat(probe.ttlOf(probe.kv(KEY_1).getLease())).isPositive();
                });
        // still alive after more than one TTL: the keep-alive resumed
        long lease = probe.kv(KEY_1).getLease();
        await()
            .during(Duration.ofSeconds(6))
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () ->
                    assertThat(probe.leasesUnder("kitex/registry-etcd/echo/"))
                        .containsOnlyKeys(KEY_1, KEY_2));
        assertThat(probe.ttlOf(probe.kv(KEY_1).getLease())).isPositive();
        assertThat(lease).isNotZero();
      }
    }
  }

  @Test
  void registrationsComeBackWithinTheRetryDelayAfterEtcdLosesItsData() {
    try (EtcdRegistry registry = newRegistry(Duration.ofSeconds(5))) {
      registerTwo(registry);
      long before = registry.leaseId();

      etcd.member(0).wipe();

      try (EtcdProbe probe = fixture.probe()) {
        // detection (keep-alive NOT_FOUND, at most TTL/3 away) + one retry delay + a margin
        await()
            .atMost(Duration.ofSeconds(5).plus(RETRY_DELAY).plusSeconds(3))
            .untilAsserted(
                () ->
                    assertThat(probe.leasesUnder("kitex/registry-etcd/echo/"))
                        .containsOnlyKeys(KEY_1, KEY_2));
        long after = probe.kv(KEY_1).getLease();
        assertThat(after).isNotEqualTo(before).isEqualTo(probe.kv(KEY_2).getLease());
        assertThat(probe.ttlOf(after)).isPositive();
      }
    }
  }

  @Test
  void afterAnOutageLongerThanEveryAttemptRegistrationsAreBackWithinTwoSecondsOfEtcdServing() {
    RetryConfig fewAttempts =
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(2),
            RetryConfig.withRetryDelay(RETRY_DELAY),
            RetryConfig.withObserveDelay(Duration.ofMinutes(5)));
    try (EtcdRegistry registry =
        fixture.registry(
            fewAttempts,
            Option.withLeaseTtl(Duration.ofSeconds(2)),
            Option.withDialTimeoutOpt(Duration.ofSeconds(2)))) {
      // set-up, not the subject: a cold JVM's first request on a busy machine may be slow
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(() -> registerTwo(registry));
      long before = registry.leaseId();

      etcd.member(0).kill();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> String.valueOf(registry.status().problem()).contains("failed 2 time(s)"));
      // long enough past the last attempt for gRPC's connect backoff to grow well beyond 2 s
      await()
          .pollDelay(Duration.ofSeconds(8))
          .atMost(Duration.ofSeconds(9))
          .until(() -> !registry.status().healthy());
      etcd.member(0).wipe();

      try (EtcdProbe probe = fixture.probe()) {
        await()
            .atMost(Duration.ofSeconds(2))
            .untilAsserted(
                () -> {
                  assertThat(probe.leasesUnder("kitex/registry-etcd/echo/"))
                      .containsOnlyKeys(KEY_1, KEY_2);
                  assertThat(probe.kv(KEY_1).getLease()).isNotEqualTo(before);
                  assertThat(registry.status().healthy()).isTrue();
                });
      }
    }
  }

  @Test
  void aRegistryProcessKilledWithoutDeregisteringDisappearsWithinItsLeaseTtl() throws Exception {
    long ttlSeconds = 2;
    String key = "kitex/registry-etcd/child/127.0.0.1:4242";
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                RegistryChild.class.getName(),
                etcd.clientEndpointsAsHostPort().get(0),
                "child",
                "4242",
                Long.toString(ttlSeconds))
            .redirectError(new File("target/registry-child.log"))
            .start();
    try (EtcdProbe probe = fixture.probe()) {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return out.readLine();
                    } catch (java.io.IOException e) {
                      return null;
                    }
                  })
              .get(30, TimeUnit.SECONDS);
      assertThat(line).isEqualTo("REGISTERED");
      assertThat(probe.value(key)).isNotNull();

      child.destroyForcibly(); // SIGKILL: no deregistration, no revoke
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      long killedAt = System.nanoTime();

      await().atMost(Duration.ofSeconds(ttlSeconds + 3)).until(() -> probe.value(key) == null);
      Duration gone = Duration.ofNanos(System.nanoTime() - killedAt);
      assertThat(gone).isLessThanOrEqualTo(Duration.ofSeconds(ttlSeconds + 1).plusMillis(900));
    } finally {
      child.destroyForcibly();
    }
  }
}
