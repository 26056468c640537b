package dev.registryetcd.etcd;

import static dev.registryetcd.etcd.EtcdFixture.echoAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A 3-member cluster losing its leader: registrations stay, resolvers follow. */
class EtcdClusterFailoverTest {
  @RegisterExtension final EtcdExtension etcd = EtcdExtension.cluster(3);

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  @Test
  void killingTheLeaderLosesNoRegistrationAndTheResolverSeesLaterChanges() {
    try (EtcdRegistry registry =
            fixture.registry(fast(), Option.withLeaseTtl(Duration.ofSeconds(5)));
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(
          Info.builder()
              .serviceName("echo")
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build());
      assertThat(resolver.resolve("echo").instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");

      EtcdMember leader = etcd.leader();
      leader.kill();

      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                registry.register(
                    Info.builder()
                        .serviceName("echo")
                        .address(new InetSocketAddress("127.0.0.1", 2))
                        .build());
                assertThat(resolver.resolve("echo").instances())
                    .extracting(Instance::address)
                    .containsExactlyInAnyOrder("127.0.0.1:1", "127.0.0.1:2");
              });

      leader.restart();
      try (EtcdProbe probe = fixture.probe()) {
        // more than a TTL later both keys are still alive on the registry's lease
        await()
            .during(Duration.ofSeconds(6))
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () ->
                    assertThat(probe.leasesUnder("kitex/registry-etcd/echo/"))
                        .hasSize(2)
                        .allSatisfy((key, lease) -> assertThat(probe.ttlOf(lease)).isPositive()));
      }
    }
  }

  @Test
  void killingAFollowerChangesNothingForRegistryOrResolver() {
    try (EtcdRegistry registry =
            fixture.registry(fast(), Option.withLeaseTtl(Duration.ofSeconds(3)));
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(echoAt(1));
      long lease = registry.leaseId();
      assertThat(resolver.resolve("echo").instances()).hasSize(1);

      etcd.cluster().followers().get(0).kill();
      registry.register(echoAt(2));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(resolver.resolve("echo").instances())
                      .extracting(Instance::address)
                      .containsExactlyInAnyOrder("127.0.0.1:1", "127.0.0.1:2"));
      assertThat(registry.leaseId()).isEqualTo(lease);
    }
  }

  @Test
  void losingQuorumForLongerThanTheTtlThenRestoringItLosesNoRegistration() {
    Duration ttl = Duration.ofSeconds(2);
    try (EtcdRegistry registry =
            fixture.registry(
                fast(),
                Option.withLeaseTtl(ttl),
                Option.withDialTimeoutOpt(Duration.ofSeconds(1)));
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(echoAt(1));
      registry.register(echoAt(2));
      assertThat(resolver.resolve("echo").instances()).hasSize(2);

      List<EtcdMember> down = etcd.cluster().followers();
      down.forEach(EtcdMember::kill);
      // without quorum nothing can be written; the registry's keep-alive goes unanswered past the
      // TTL
      await().atMost(ttl.multipliedBy(5)).until(() -> registry.leaseId() == 0);
      assertThat(resolver.resolve("echo").instances())
          .hasSize(2); // last known instances are served
      down.forEach(EtcdMember::restart);

      try (EtcdProbe probe = fixture.probe()) {
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .untilAsserted(
                () -> {
                  assertThat(probe.leasesUnder("kitex/registry-etcd/echo/"))
                      .containsOnlyKeys(
                          "kitex/registry-etcd/echo/127.0.0.1:1",
                          "kitex/registry-etcd/echo/127.0.0.1:2")
                      .allSatisfy((key, lease) -> assertThat(lease).isEqualTo(registry.leaseId()));
                  assertThat(probe.ttlOf(registry.leaseId())).isPositive();
                  assertThat(resolver.resolve("echo").instances())
                      .extracting(Instance::address)
                      .containsExactlyInAnyOrder("127.0.0.1:1", "127.0.0.1:2");
                });
      }
    }
  }

  private static RetryConfig fast() {
    return RetryConfig.newRetryConfig(
        RetryConfig.withMaxAttemptTimes(0),
        RetryConfig.withRetryDelay(Duration.ofMillis(500)),
        RetryConfig.withObserveDelay(Duration.ofSeconds(2)));
  }
}
