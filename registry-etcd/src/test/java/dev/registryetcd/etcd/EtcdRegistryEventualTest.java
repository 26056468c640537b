package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link EtcdRegistry#registerEventually}: etcd away when registering, the key once it is back. */
class EtcdRegistryEventualTest {
  private static final String KEY = "kitex/registry-etcd/echo/127.0.0.1:1";
  private static final Info ONE =
      Info.builder().serviceName("echo").address(new InetSocketAddress("127.0.0.1", 1)).build();

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private EtcdRegistry newRegistry() {
    return EtcdRegistry.newEtcdRegistryWithRetry(
        etcd.clientEndpointsAsHostPort(),
        // the defaults: only the probe brings it back within 2 s of etcd answering
        RetryConfig.newRetryConfig(),
        Option.withLeaseTtl(Duration.ofSeconds(5)),
        Option.withDialTimeoutOpt(Duration.ofSeconds(1)));
  }

  @Test
  void heldWhileEtcdIsAwayAndPutWithinTwoSecondsOfEtcdAnswering() {
    etcd.member(0).stop();
    try (EtcdRegistry registry = newRegistry();
        EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
      long start = System.nanoTime();
      registry.registerEventually(ONE);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                RegistryStatus status = registry.status();
                assertThat(status.registrations()).isEqualTo(1);
                assertThat(status.healthy()).isFalse();
                assertThat(status.problem()).contains("failed");
              });
      // long enough for gRPC's connect backoff to grow past 2 s
      await()
          .pollDelay(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(6))
          .until(() -> !registry.status().healthy());

      etcd.member(0).restart();

      await().atMost(Duration.ofSeconds(2)).until(() -> probe.kv(KEY) != null);
      assertThat(probe.kv(KEY).getLease()).isEqualTo(registry.leaseId());
      await().atMost(Duration.ofSeconds(2)).until(() -> registry.status().healthy());
    }
  }

  @Test
  void withEtcdUpItIsPutAtOnce() {
    try (EtcdRegistry registry = newRegistry();
        EtcdProbe probe = new EtcdProbe(etcd.clientEndpoints())) {
      registry.registerEventually(ONE);

      await().atMost(Duration.ofSeconds(5)).until(() -> probe.kv(KEY) != null);
      assertThat(registry.status().healthy()).isTrue();
      registry.deregister(ONE);
      assertThat(probe.kv(KEY)).isNull();
    }
  }

  @Test
  void registerStillThrowsWhenEtcdIsAway() {
    etcd.member(0).stop();
    try (EtcdRegistry registry = newRegistry()) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> registry.register(ONE))
          .isInstanceOf(RegistryException.class);
      assertThat(registry.status().registrations()).isZero();
    }
  }
}
