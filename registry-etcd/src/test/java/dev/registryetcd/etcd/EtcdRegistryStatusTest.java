package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Out of service is no key, as a Go resolver reads etcd: a raw prefix read sees the key go and come
 * back, and neither the periodic check nor a lease recovery puts it back meanwhile.
 */
class EtcdRegistryStatusTest {
  private static final String PREFIX = "kitex/registry-etcd/echo/";
  private static final String KEY_1 = PREFIX + "127.0.0.1:1";
  private static final String KEY_2 = PREFIX + "127.0.0.1:2";
  private static final String VALUE_1 =
      "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\",\"weight\":10,\"tags\":null}";
  private static final Info ONE = info(1, 10);
  private static final Info TWO = info(2, 10);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private EtcdProbe probe;
  private EtcdRegistry registry;

  @BeforeEach
  void start() {
    probe = new EtcdProbe(etcd.clientEndpoints());
    registry =
        EtcdRegistry.newEtcdRegistryWithRetry(
            etcd.clientEndpointsAsHostPort(),
            RetryConfig.newRetryConfig(
                RetryConfig.withMaxAttemptTimes(0),
                RetryConfig.withRetryDelay(Duration.ofMillis(300)),
                RetryConfig.withObserveDelay(Duration.ofMillis(500))),
            Option.withLeaseTtl(Duration.ofSeconds(5)),
            Option.withDialTimeoutOpt(Duration.ofSeconds(2)));
    registry.register(ONE);
    registry.register(TWO);
  }

  @AfterEach
  void stop() {
    registry.close();
    probe.close();
  }

  private static Info info(int port, int weight) {
    return Info.builder()
        .serviceName("echo")
        .address(new InetSocketAddress("127.0.0.1", port))
        .weight(weight)
        .build();
  }

  /** What a Go resolver reads: every key under the service's prefix, with its raw value. */
  private Map<String, String> goRead() throws Exception {
    Map<String, String> found = new TreeMap<>();
    for (KeyValue kv :
        probe
            .client()
            .getKVClient()
            .get(
                ByteSequence.from(PREFIX, StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).build())
            .get(10, TimeUnit.SECONDS)
            .getKvs()) {
      found.put(
          kv.getKey().toString(StandardCharsets.UTF_8),
          kv.getValue().toString(StandardCharsets.UTF_8));
    }
    return found;
  }

  @Test
  void outOfServiceDeletesTheKeyTheChecksLeaveItOutAndUpPutsItBack() throws Exception {
    registry.setStatus(ONE, InstanceStatus.OUT_OF_SERVICE);

    assertThat(goRead()).containsOnlyKeys(KEY_2);
    assertThat(registry.statusOf(ONE)).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
    assertThat(registry.statusOf(TWO)).isEqualTo(InstanceStatus.UP);
    assertThat(registry.status().registrations()).isEqualTo(2);
    assertThat(registry.status().healthy()).isTrue();
    // several periodic checks (every 500 ms) pass without putting it back
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(goRead()).containsOnlyKeys(KEY_2));

    registry.setStatus(ONE, InstanceStatus.UP);

    assertThat(goRead()).containsOnlyKeys(KEY_1, KEY_2).containsEntry(KEY_1, VALUE_1);
    assertThat(probe.kv(KEY_1).getLease()).isEqualTo(registry.leaseId());
    assertThat(registry.statusOf(ONE)).isEqualTo(InstanceStatus.UP);
  }

  @Test
  void aLeaseRecoveryPutsBackOnlyWhatIsInService() throws Exception {
    registry.setStatus(ONE, InstanceStatus.OUT_OF_SERVICE);
    long lost = registry.leaseId();

    probe.client().getLeaseClient().revoke(lost).get(10, TimeUnit.SECONDS);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(registry.status().leaseRecoveries()).isPositive();
              assertThat(goRead()).containsOnlyKeys(KEY_2);
            });
    long recovered = probe.kv(KEY_2).getLease();
    assertThat(recovered).isNotEqualTo(lost);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(goRead()).containsOnlyKeys(KEY_2));

    registry.setStatus(ONE, InstanceStatus.UP);

    assertThat(goRead()).containsEntry(KEY_1, VALUE_1).containsOnlyKeys(KEY_1, KEY_2);
    assertThat(probe.kv(KEY_1).getLease()).isEqualTo(recovered);
  }

  @Test
  void registeringOutOfServiceUpdatesTheValueItComesBackWith() throws Exception {
    registry.setStatus(ONE, InstanceStatus.OUT_OF_SERVICE);

    registry.register(info(1, 3));

    assertThat(goRead()).containsOnlyKeys(KEY_2);
    assertThat(registry.statusOf(ONE)).isEqualTo(InstanceStatus.OUT_OF_SERVICE);
    registry.setStatus(ONE, InstanceStatus.UP);
    assertThat(goRead())
        .containsEntry(
            KEY_1, "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\",\"weight\":3,\"tags\":null}");
  }

  @Test
  void deregisteringOutOfServiceForgetsItAndItsStatus() throws Exception {
    registry.setStatus(ONE, InstanceStatus.OUT_OF_SERVICE);

    registry.deregister(ONE);

    assertThat(registry.statusOf(ONE)).isNull();
    assertThat(registry.status().registrations()).isEqualTo(1);
    assertThatThrownBy(() -> registry.setStatus(ONE, InstanceStatus.UP))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not registered")
        .hasMessageContaining("register it first");
    assertThat(goRead()).containsOnlyKeys(KEY_2);
  }
}
