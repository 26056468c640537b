package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdExtension;
import dev.registryetcd.testkit.EtcdMember;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A 3-member cluster losing its leader: registrations stay, resolvers follow. */
class EtcdClusterFailoverTest {
  @RegisterExtension
  final EtcdExtension etcd = EtcdExtension.cluster(3);

  @Test
  void killingTheLeaderLosesNoRegistrationAndTheResolverSeesLaterChanges() {
    RetryConfig fast = RetryConfig.newRetryConfig(RetryConfig.withMaxAttemptTimes(0),
        RetryConfig.withRetryDelay(Duration.ofMillis(500)), RetryConfig.withObserveDelay(Duration.ofSeconds(2)));
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistryWithRetry(etcd.clientEndpointsAsHostPort(), fast,
        Option.withLeaseTtl(Duration.ofSeconds(5)));
        EtcdResolver resolver = EtcdResolver.newEtcdResolver(etcd.clientEndpointsAsHostPort())) {
      registry.register(Info.builder().serviceName("echo").address(new InetSocketAddress("127.0.0.1", 1)).build());
      assertThat(resolver.resolve("echo").instances()).extracting(Instance::address).containsExactly("127.0.0.1:1");

      EtcdMember leader = etcd.leader();
      leader.kill();

      await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
        registry.register(Info.builder().serviceName("echo").address(new InetSocketAddress("127.0.0.1", 2)).build());
        assertThat(resolver.resolve("echo").instances()).extracting(Instance::address)
            .containsExactlyInAnyOrder("127.0.0.1:1", "127.0.0.1:2");
      });

      leader.restart();
      try (EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
        // more than a TTL later both keys are still alive on the registry's lease
        await().pollDelay(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(20)).untilAsserted(() ->
            assertThat(probe.leasesUnder("kitex/registry-etcd/echo/")).hasSize(2)
                .allSatisfy((key, lease) -> assertThat(probe.ttlOf(lease)).isPositive()));
      }
    }
  }
}
