package dev.registryetcd.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Micrometer meters follow what registries and resolvers really do against a real etcd. */
class EtcdMetricsTest {
  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final MeterRegistry meters = new SimpleMeterRegistry();
  private final EtcdMetrics metrics = new EtcdMetrics();

  @Test
  void leaseRecoveryIsCountedAndTheRegistrationGaugeFollowsRegistrations() throws Exception {
    metrics.bindTo(meters);
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort());
        EtcdRegistry registry =
            registryReportingToMetrics()
                .options(Option.withLeaseTtl(Duration.ofSeconds(5)))
                .retryConfig(
                    RetryConfig.newRetryConfig(RetryConfig.withRetryDelay(Duration.ofMillis(300))))
                .build()) {
      metrics.monitor(registry);
      registry.register(info(1));
      registry.register(info(2));
      assertThat(gauge("registry.etcd.registrations")).isEqualTo(2);
      assertThat(counter("registry.etcd.lease.recoveries")).isZero();

      long lost = registry.leaseId();
      client.getLeaseClient().revoke(lost).get(5, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(counter("registry.etcd.lease.recoveries")).isEqualTo(1);
                assertThat(registry.status().leaseAlive()).isTrue();
                assertThat(registry.status().leaseId()).isNotEqualTo(lost);
                assertThat(
                        client
                            .getKVClient()
                            .get(bytes(registry.keyOf(info(1))))
                            .get(5, TimeUnit.SECONDS)
                            .getKvs())
                    .hasSize(1);
              });
      assertThat(registry.status().leaseRecoveries()).isEqualTo(1);
      assertThat(registry.status().problem()).isNull();

      registry.deregister(info(2));
      assertThat(gauge("registry.etcd.registrations")).isEqualTo(1);
    }
    assertThat(gauge("registry.etcd.registrations")).isZero();
  }

  @Test
  void keyDeletedBehindTheRegistrysBackIsCountedAsRestored() throws Exception {
    metrics.bindTo(meters);
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort());
        EtcdRegistry registry = registryReportingToMetrics().build()) {
      registry.register(info(1));
      client.getKVClient().delete(bytes(registry.keyOf(info(1)))).get(5, TimeUnit.SECONDS);

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(counter("registry.etcd.keys.restored")).isEqualTo(1));
    }
  }

  @Test
  void deregisteringAndRegisteringAgainQuicklyIsNotTakenForAKeyDeletedBehindTheRegistrysBack()
      throws Exception {
    metrics.bindTo(meters);
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort());
        EtcdRegistry registry = registryReportingToMetrics().build()) {
      registry.register(info(2)); // keeps the registry's watch of the service open throughout
      registry.register(info(1));
      for (int i = 0; i < 30; i++) {
        registry.deregister(info(1));
        registry.register(info(1));
      }
      // a real deletion by someone else, after ours: once it is put back, every earlier event was
      // handled
      client.getKVClient().delete(bytes(registry.keyOf(info(2)))).get(5, TimeUnit.SECONDS);

      // counted right after the put back: wait for the count, not for the key
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> counter("registry.etcd.keys.restored") >= 1);
      assertThat(counter("registry.etcd.keys.restored")).as("only the real deletion").isEqualTo(1);
      assertThat(
              client
                  .getKVClient()
                  .get(bytes(registry.keyOf(info(2))))
                  .get(5, TimeUnit.SECONDS)
                  .getKvs())
          .hasSize(1);
    }
  }

  @Test
  void cacheGaugesListenerLatencyAndWatchRestartsFollowTheResolver() throws Exception {
    metrics.bindTo(meters);
    List<Change> changes = new CopyOnWriteArrayList<>();
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort());
        EtcdResolver resolver =
            EtcdResolver.builder()
                .endpoints(etcd.clientEndpointsAsHostPort())
                .options(Option.withDialTimeoutOpt(Duration.ofSeconds(2)))
                .events(metrics)
                .build()) {
      metrics.monitor(resolver);
      put(
          client,
          "kitex/registry-etcd/echo/127.0.0.1:1",
          "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\"}");
      Subscription subscription = resolver.subscribe("echo", changes::add);
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 1);
      assertThat(meters.get("registry.etcd.listener.latency").timer().count())
          .as("the first delivery comes from a read, not an event")
          .isZero();

      put(
          client,
          "kitex/registry-etcd/echo/127.0.0.1:2",
          "{\"network\":\"tcp\",\"address\":\"127.0.0.1:2\"}");
      await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 2);
      assertThat(meters.get("registry.etcd.listener.latency").timer().count()).isEqualTo(1);
      assertThat(meters.get("registry.etcd.listener.latency").timer().max(TimeUnit.NANOSECONDS))
          .isPositive();
      assertThat(gauge("registry.etcd.cache.services")).isEqualTo(1);
      assertThat(gauge("registry.etcd.cache.instances")).isEqualTo(2);
      assertThat(gauge("registry.etcd.cache.unconfirmed")).isZero();

      etcd.member(0).kill();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> gauge("registry.etcd.cache.unconfirmed") == 1);
      etcd.member(0).restart();
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(watchRestarts("resolver")).isPositive();
                assertThat(resolver.status().healthy()).isTrue();
                assertThat(gauge("registry.etcd.cache.unconfirmed")).isZero();
              });
      assertThat(resolver.status().watchRestarts()).isEqualTo((long) watchRestarts("resolver"));
      subscription.close();
    }
  }

  @Test
  void countersCountEventsThatCameBeforeBindingAndCarryLowCardinalityTags() {
    metrics.keepAliveFailed(EtcdEvents.KeepAliveFailure.NO_ANSWER);
    metrics.watchRestarted(EtcdEvents.Source.REGISTRY, EtcdEvents.WatchEnd.COMPACTED);
    metrics.bindTo(meters);
    metrics.keepAliveFailed(EtcdEvents.KeepAliveFailure.NO_ANSWER);
    metrics.keepAliveFailed(EtcdEvents.KeepAliveFailure.LEASE_NOT_FOUND);

    assertThat(
            meters
                .get("registry.etcd.keepalive.failures")
                .tag("cause", "no_answer")
                .functionCounter()
                .count())
        .isEqualTo(2);
    assertThat(
            meters
                .get("registry.etcd.keepalive.failures")
                .tag("cause", "lease_not_found")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(
            meters
                .get("registry.etcd.keepalive.failures")
                .tag("cause", "stream_error")
                .functionCounter()
                .count())
        .isZero();
    assertThat(
            meters
                .get("registry.etcd.watch.restarts")
                .tag("source", "registry")
                .tag("cause", "compacted")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(meters.find("registry.etcd.watch.restarts").functionCounters()).hasSize(10);
  }

  @Test
  void skippedValuesAreCountedWithoutTheKeyAsATag() {
    metrics.valueSkipped("kitex/registry-etcd/echo/garbage", "value is a number");
    metrics.bindTo(meters);
    metrics.valueSkipped("kitex/registry-etcd/echo/other", "weight is a string");

    assertThat(counter("registry.etcd.values.skipped")).isEqualTo(2);
    assertThat(meters.get("registry.etcd.values.skipped").functionCounter().getId().getTags())
        .isEmpty();
  }

  @Test
  void metricsBoundTwiceFeedBothRegistries() {
    MeterRegistry other = new SimpleMeterRegistry();
    metrics.bindTo(meters);
    metrics.bindTo(other);
    metrics.listenerNotified("echo", Duration.ofMillis(3));
    assertThat(meters.get("registry.etcd.listener.latency").timer().count()).isEqualTo(1);
    assertThat(other.get("registry.etcd.listener.latency").timer().count()).isEqualTo(1);
  }

  private double watchRestarts(String source) {
    return meters
        .find("registry.etcd.watch.restarts")
        .tag("source", source)
        .functionCounters()
        .stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private double gauge(String name) {
    return meters.get(name).gauge().value();
  }

  private double counter(String name) {
    return meters.get(name).functionCounter().count();
  }

  private static Info info(int port) {
    return Info.builder()
        .serviceName("echo")
        .address(new InetSocketAddress("127.0.0.1", port))
        .build();
  }

  private static void put(Client client, String key, String value) throws Exception {
    client.getKVClient().put(bytes(key), bytes(value)).get(5, TimeUnit.SECONDS);
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private EtcdRegistry.Builder registryReportingToMetrics() {
    return EtcdRegistry.builder().endpoints(etcd.clientEndpointsAsHostPort()).events(metrics);
  }
}
