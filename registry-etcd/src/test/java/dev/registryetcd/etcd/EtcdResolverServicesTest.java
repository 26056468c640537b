package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link EtcdResolver#services()} and {@link EtcdResolver#status()}: what a discovery client lists
 * and a health check reads.
 */
class EtcdResolverServicesTest {
  private static final byte[] VALUE =
      "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\"}".getBytes(StandardCharsets.UTF_8);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  @Test
  void servicesListsEveryServiceWithAKeyAndFollowsPutsAndDeletes() {
    try (EtcdProbe probe = fixture.probe();
        EtcdRegistry registry = fixture.registry();
        EtcdResolver resolver = fixture.resolver()) {
      probe.put("kitex/registry-etcd/echo/127.0.0.1:1", VALUE);
      probe.put("kitex/registry-etcd/echo/127.0.0.1:2", VALUE);
      probe.put(
          "kitex/registry-etcd/go-only/10.0.0.1:8888", "not json".getBytes(StandardCharsets.UTF_8));
      probe.put("kitex/registry-etcd/bare", VALUE); // not {prefix}/{service}/{address}
      probe.put("kitex/registry-etcd-other/x/127.0.0.1:1", VALUE);
      probe.put("hertz/registry-etcd/web/127.0.0.1:1", VALUE);

      assertThat(resolver.services()).containsExactlyInAnyOrder("echo", "go-only");

      registry.register(
          Info.builder()
              .serviceName("java")
              .address(new InetSocketAddress("127.0.0.1", 7))
              .build());
      await().atMost(Duration.ofSeconds(5)).until(() -> resolver.services().contains("java"));

      probe.delete("kitex/registry-etcd/echo/127.0.0.1:1");
      probe.put("kitex/registry-etcd/echo/127.0.0.1:2", VALUE); // an update is not a new key
      probe.delete("kitex/registry-etcd/go-only/10.0.0.1:8888");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(resolver.services()).containsExactlyInAnyOrder("echo", "java"));
      probe.delete("kitex/registry-etcd/echo/127.0.0.1:2");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertThat(resolver.services()).containsExactly("java"));
    }
  }

  @Test
  void servicesComeBackAfterEtcdRestartsAndMeanwhileServesTheLastList() {
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver =
            fixture.resolver(Option.withDialTimeoutOpt(Duration.ofSeconds(2)))) {
      probe.put("kitex/registry-etcd/echo/127.0.0.1:1", VALUE);
      assertThat(resolver.services()).containsExactly("echo");

      etcd.member(0).stop();
      assertThat(resolver.services()).containsExactly("echo");
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                assertThat(resolver.status().serviceNamesFailing()).isTrue();
                assertThat(resolver.status().healthy()).isFalse();
              });
      etcd.member(0).restart();
      try (EtcdProbe again = fixture.probe()) {
        again.put("kitex/registry-etcd/later/127.0.0.1:1", VALUE);
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(resolver.services()).containsExactlyInAnyOrder("echo", "later");
                assertThat(resolver.status().serviceNamesFailing()).isFalse();
              });
    }
  }

  @Test
  void servicesFollowAnEtcdThatLostItsData() {
    try (EtcdResolver resolver = fixture.resolver()) {
      try (EtcdProbe probe = fixture.probe()) {
        for (int i = 0; i < 20; i++) {
          probe.put("kitex/registry-etcd/old/127.0.0.1:" + (100 + i), VALUE);
        }
        assertThat(resolver.services()).containsExactly("old");
      }

      etcd.member(0).wipe();

      try (EtcdProbe probe = fixture.probe()) {
        probe.put("kitex/registry-etcd/new/127.0.0.1:1", VALUE);
        // revisions restarted from 1: a watch resumed at the old revision would never see this
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(() -> assertThat(resolver.services()).containsExactly("new"));
      }
    }
  }

  @Test
  void servicesFailsClearlyWhenEtcdCannotBeReadAndTriesAgainNextTime() {
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver =
            fixture.resolver(Option.withDialTimeoutOpt(Duration.ofSeconds(1)))) {
      probe.put("kitex/registry-etcd/echo/127.0.0.1:1", VALUE);
      etcd.member(0).stop();
      assertThatThrownBy(resolver::services)
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("kitex/registry-etcd/")
          .satisfies(
              e ->
                  assertThat(((RegistryException) e).reason())
                      .isEqualTo(RegistryException.Reason.UNREACHABLE));
      etcd.member(0).restart();
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(resolver.services()).containsExactly("echo"));
    }
  }

  @Test
  void statusCountsCachedServicesAndInstancesAndNamesTheServicesItCannotRead() {
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver =
            fixture.resolver(Option.withDialTimeoutOpt(Duration.ofSeconds(1)))) {
      probe.put("kitex/registry-etcd/echo/127.0.0.1:1", VALUE);
      probe.put("kitex/registry-etcd/echo/127.0.0.1:2", VALUE);
      probe.put("kitex/registry-etcd/ping/127.0.0.1:3", VALUE);
      resolver.resolve("echo");
      resolver.resolve("ping");
      assertThat(resolver.status())
          .usingRecursiveComparison()
          .ignoringFields("lastContact", "contactBound") // followed in LastContactTest
          .isEqualTo(new ResolverStatus(2, 3, java.util.Set.of(), false, 0, false, null, null));
      assertThat(resolver.status().healthy()).isTrue();

      resolver.subscribe("echo", change -> {});
      etcd.member(0).stop();
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                assertThat(resolver.status().failingServices())
                    .containsExactlyInAnyOrder("echo", "ping");
                assertThat(resolver.status().healthy()).isFalse();
              });
      assertThat(resolver.status().cachedInstances())
          .as("the last instances are still served")
          .isEqualTo(3);

      etcd.member(0).restart();
      await().atMost(Duration.ofSeconds(20)).until(() -> resolver.status().healthy());
    }
  }

  @Test
  void registryStatusShowsRegistrationsTheLeaseAndClose() {
    EtcdRegistry registry = fixture.registry();
    assertThat(registry.status())
        .isEqualTo(new RegistryStatus(0, 0, false, 0, 0, null, false, null, null));
    assertThat(registry.status().healthy()).isTrue();

    registry.register(
        Info.builder().serviceName("echo").address(new InetSocketAddress("127.0.0.1", 1)).build());
    RegistryStatus registered = registry.status();
    assertThat(registered.registrations()).isEqualTo(1);
    assertThat(registered.leaseAlive()).isTrue();
    assertThat(registered.leaseId()).isEqualTo(registry.leaseId()).isNotZero();
    assertThat(registered.healthy()).isTrue();

    registry.close();
    assertThat(registry.status().closed()).isTrue();
    assertThat(registry.status().registrations()).isZero();
    assertThat(registry.status().healthy()).isFalse();
  }

  @Test
  void registryStatusCountsTheRecoveryAfterEtcdLostItsDataAndEndsHealthy() {
    try (EtcdRegistry registry =
        fixture.registry(
            dev.registryetcd.retry.RetryConfig.newRetryConfig(
                dev.registryetcd.retry.RetryConfig.withRetryDelay(Duration.ofMillis(300)),
                dev.registryetcd.retry.RetryConfig.withMaxAttemptTimes(0)),
            Option.withLeaseTtl(Duration.ofSeconds(2)),
            Option.withDialTimeoutOpt(Duration.ofSeconds(1)))) {
      registry.register(
          Info.builder()
              .serviceName("echo")
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build());
      etcd.member(0).wipe();
      // the wiped etcd no longer knows the lease: the registry notices and recovers (the problem it
      // reports meanwhile lasts only as long as the recovery, too short to catch here)
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                assertThat(registry.status().leaseRecoveries()).isEqualTo(1);
                assertThat(registry.status().healthy()).isTrue();
              });
      assertThat(registry.status().problem()).isNull();
    }
  }

  @Test
  void servicesRefusesAClosedResolver() {
    EtcdResolver resolver = EtcdResolver.newEtcdResolver(List.of("127.0.0.1:1"));
    resolver.close();
    assertThatThrownBy(resolver::services)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
