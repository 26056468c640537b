package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The registry and the resolver say when etcd last answered them: the time moves on while etcd
 * answers, stands still while etcd is cut off or stopped (and grows older than the status's own
 * bound, which is what a health check reads), and moves on again once etcd is back.
 */
class LastContactTest {
  /** An answer already on its way when etcd went away may still be recorded a moment later. */
  private static final Duration IN_FLIGHT = Duration.ofMillis(300);

  @RegisterExtension
  final EtcdExtension etcd = EtcdExtension.of(EtcdCluster.builder().networkFaults());

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  /** The two figures every status carries, read the same way for both components. */
  private record Contact(Instant last, Duration bound) {}

  @Test
  void registryHearsEtcdOnEveryKeepAliveAndNotWhileItIsCutOff() {
    try (EtcdRegistry registry =
        fixture.registry(
            RetryConfig.newRetryConfig(
                RetryConfig.withMaxAttemptTimes(0),
                RetryConfig.withRetryDelay(Duration.ofMillis(300))),
            Option.withLeaseTtl(Duration.ofSeconds(3)),
            Option.withDialTimeoutOpt(Duration.ofSeconds(1)))) {
      assertThat(registry.status().lastContact()).as("nothing asked of etcd yet").isNull();
      assertThat(registry.status().contactBound()).as("nothing to keep in etcd").isNull();

      registry.register(
          Info.builder()
              .serviceName(EtcdFixture.uniqueService())
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build());
      Supplier<Contact> contact =
          () -> new Contact(registry.status().lastContact(), registry.status().contactBound());
      // A keep-alive every TTL/3 = 1 s, each answered within TTL/6 = 500 ms, one sent again.
      assertThat(contact.get().bound()).isEqualTo(Duration.ofSeconds(2));

      followsEtcd(
          contact,
          () -> etcd.member(0).clientProxy().blackhole(),
          () -> {
            etcd.member(0).clientProxy().heal();
          });
    }
  }

  @Test
  void resolverHearsEtcdOnEveryRevisionCheckAndNotWhileItIsStopped() {
    String service = EtcdFixture.uniqueService();
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver =
            fixture.resolver(Option.withDialTimeoutOpt(Duration.ofSeconds(1)))) {
      assertThat(resolver.status().lastContact()).as("nothing asked of etcd yet").isNull();
      assertThat(resolver.status().contactBound()).as("nothing watched").isNull();

      probe.put(
          "kitex/registry-etcd/" + service + "/127.0.0.1:1",
          "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\",\"weight\":10,\"tags\":null}"
              .getBytes(StandardCharsets.UTF_8));
      resolver.resolve(service);
      assertThat(resolver.status().lastContact()).as("the first read answered").isNotNull();
      Supplier<Contact> contact =
          () -> new Contact(resolver.status().lastContact(), resolver.status().contactBound());
      // Three liveness intervals (1 s) and the bound (500 ms), from the next revision check on.
      await()
          .atMost(Duration.ofSeconds(3))
          .until(() -> Duration.ofMillis(3500).equals(contact.get().bound()));

      followsEtcd(contact, () -> etcd.member(0).stop(), () -> etcd.member(0).restart());
    }
  }

  /**
   * While etcd answers, the last contact keeps moving on: over two bounds it never grows older than
   * one. After {@code away} it stands still and grows older than the bound; after {@code back} it
   * moves on again as before.
   */
  private static void followsEtcd(Supplier<Contact> contact, Runnable away, Runnable back) {
    Duration bound = contact.get().bound();
    keepsMovingOn(contact, bound);

    away.run();
    Instant wentAway = Instant.now();
    await().atMost(bound.multipliedBy(3)).until(() -> age(contact).compareTo(bound) > 0);
    Instant last = contact.get().last();
    assertThat(last).isBefore(wentAway.plus(IN_FLIGHT));
    // The component keeps asking meanwhile (keep-alives and probes, revision checks): no answer.
    await()
        .during(bound)
        .atMost(bound.multipliedBy(2))
        .untilAsserted(() -> assertThat(contact.get().last()).isEqualTo(last));
    assertThat(contact.get().bound()).as("still something to keep or watch").isEqualTo(bound);

    back.run();
    Instant cameBack = Instant.now();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(contact.get().last()).isAfter(cameBack));
    keepsMovingOn(contact, bound);
  }

  private static void keepsMovingOn(Supplier<Contact> contact, Duration bound) {
    Instant from = contact.get().last();
    await()
        .during(bound.multipliedBy(2))
        .atMost(bound.multipliedBy(3))
        .until(() -> age(contact).compareTo(bound) <= 0);
    assertThat(contact.get().last()).isAfter(from);
  }

  private static Duration age(Supplier<Contact> contact) {
    return Duration.between(contact.get().last(), Instant.now());
  }
}
