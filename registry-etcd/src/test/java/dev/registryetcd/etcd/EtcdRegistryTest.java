package dev.registryetcd.etcd;

import static dev.registryetcd.etcd.EtcdFixture.registryThreads;
import static dev.registryetcd.etcd.EtcdFixture.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdRegistryTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @RegisterExtension static final EtcdFixture fixture = new EtcdFixture(etcd);

  private static EtcdProbe probe() {
    return fixture.sharedProbe();
  }

  @Test
  void registeredInstanceAppearsUnderTheExactKeyWithGoBytes() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 8888))
              .weight(7)
              .tag("zone", "b")
              .tag("a&b", "<x>")
              .build());

      assertThat(probe().value("kitex/registry-etcd/" + service + "/127.0.0.1:8888"))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:8888\",\"weight\":7,"
                  + "\"tags\":{\"a\\u0026b\":\"\\u003cx\\u003e\",\"zone\":\"b\"}}");
    }
  }

  @Test
  void nonAsciiControlAndHtmlCharactersRoundTripExactlyAsGoWritesThem() {
    String service = "サービス<&>-" + uniqueService();
    Map<String, String> tags = new java.util.LinkedHashMap<>();
    tags.put("名前", "値\u2028");
    tags.put("ctl", "a\u0001\tb\n");
    tags.put("html", "<a href=\"x\">&</a>");
    try (EtcdRegistry registry = fixture.registry();
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 1))
              .tags(tags)
              .build());

      // the key holds the name's UTF-8 bytes as they are; the value escapes as Go's encoding/json
      // does
      assertThat(probe().value("kitex/registry-etcd/" + service + "/127.0.0.1:1"))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\",\"weight\":10,\"tags\":{"
                  + "\"ctl\":\"a\\u0001\\tb\\n\",\"html\":\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\u003c/a\\u003e\","
                  + "\"名前\":\"値\\u2028\"}}");
      assertThat(resolver.resolve(service).instances().get(0).tags()).isEqualTo(tags);
    }
  }

  @Test
  void instanceWithoutTagsIsWrittenWithNullTagsAsGoDoes() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build());

      assertThat(probe().value("kitex/registry-etcd/" + service + "/127.0.0.1:1"))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\",\"weight\":10,\"tags\":null}");
    }
  }

  @Test
  void aWeightBeyondJavaIntIsWrittenWholeAsGoWritesItsSixtyFourBitInt() {
    String service = uniqueService();
    Info heavy =
        Info.builder()
            .serviceName(service)
            .address(new InetSocketAddress("127.0.0.1", 1))
            .weight(1L << 40)
            .build();
    try (EtcdRegistry registry = fixture.registry();
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(heavy);

      // Go's json.Marshal of instanceInfo{Weight: 1 << 40}: the decimal digits, never clamped
      assertThat(probe().value(registry.keyOf(heavy)))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:1\",\"weight\":1099511627776,"
                  + "\"tags\":null}");
      assertThat(resolver.resolve(service).instances())
          .extracting(Instance::weight)
          .containsExactly(1L << 40);
    }
  }

  @Test
  void theValueIsExactlyTheBytesOfInstanceOfWithNullAndEmptyTagsKeptApartAsGoKeepsThem() {
    String service = uniqueService();
    Info none =
        Info.builder().serviceName(service).address(new InetSocketAddress("127.0.0.1", 1)).build();
    Info empty =
        none.toBuilder().address(new InetSocketAddress("127.0.0.1", 2)).tags(Map.of()).build();
    try (EtcdRegistry registry = fixture.registry()) {
      registry.register(none);
      registry.register(empty);

      String noneValue = probe().value(registry.keyOf(none));
      String emptyValue = probe().value(registry.keyOf(empty));
      assertThat(noneValue)
          .isEqualTo(
              new String(InstanceCodec.encode(registry.instanceOf(none)), StandardCharsets.UTF_8))
          .endsWith("\"tags\":null}");
      assertThat(emptyValue)
          .isEqualTo(
              new String(InstanceCodec.encode(registry.instanceOf(empty)), StandardCharsets.UTF_8))
          .endsWith("\"tags\":{}}");
      // for consumers both have tags, empty ones, and are the same instance but for the address
      assertThat(registry.instanceOf(none).tags()).isEmpty();
      assertThat(registry.instanceOf(empty).tags()).isEmpty();
    }
  }

  @Test
  void manyServicesAndAddressesShareOneLease() {
    String a = uniqueService();
    String b = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      for (int port = 9000; port < 9005; port++) {
        registry.register(
            Info.builder()
                .serviceName(a)
                .address(new InetSocketAddress("127.0.0.1", port))
                .build());
        registry.register(
            Info.builder()
                .serviceName(b)
                .address(new InetSocketAddress("127.0.0.1", port))
                .build());
      }

      Map<String, Long> leases = probe().leasesUnder("kitex/registry-etcd/" + a + "/");
      leases.putAll(probe().leasesUnder("kitex/registry-etcd/" + b + "/"));
      assertThat(leases).hasSize(10);
      assertThat(Set.copyOf(leases.values())).containsExactly(registry.leaseId());
      assertThat(probe().ttlOf(registry.leaseId())).isPositive();
    }
  }

  @Test
  void registeringTheSameAddressAgainReplacesItsValue() {
    String service = uniqueService();
    String key = "kitex/registry-etcd/" + service + "/127.0.0.1:7000";
    try (EtcdRegistry registry = fixture.registry()) {
      Info info =
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 7000))
              .build();
      registry.register(info);
      registry.register(info.toBuilder().weight(99).build());

      assertThat(InstanceCodec.decode(probe().value(key).getBytes(StandardCharsets.UTF_8)).weight())
          .isEqualTo(99);
      assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/")).hasSize(1);
    }
  }

  @Test
  void deregisterRemovesOnlyThatKey() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      Info one =
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build();
      Info two =
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 2))
              .build();
      registry.register(one);
      registry.register(two);

      registry.deregister(one);

      assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/").keySet())
          .containsExactly("kitex/registry-etcd/" + service + "/127.0.0.1:2");
    }
  }

  @Test
  void closeRevokesTheLeaseAndRemovesEveryKey() {
    String service = uniqueService();
    EtcdRegistry registry = fixture.registry();
    registry.register(
        Info.builder().serviceName(service).address(new InetSocketAddress("127.0.0.1", 1)).build());
    registry.register(
        Info.builder().serviceName(service).address(new InetSocketAddress("127.0.0.1", 2)).build());
    long lease = registry.leaseId();

    registry.close();
    registry.close(); // idempotent

    assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/")).isEmpty();
    assertThat(probe().ttlOf(lease)).isEqualTo(-1);
    assertThatThrownBy(
            () ->
                registry.register(
                    Info.builder()
                        .serviceName(service)
                        .address(new InetSocketAddress("127.0.0.1", 3))
                        .build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void aKeyDeletedBySomeoneElseComesBack() {
    String service = uniqueService();
    String key = "kitex/registry-etcd/" + service + "/127.0.0.1:4000";
    try (EtcdRegistry registry = fixture.registry()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 4000))
              .build());
      String written = probe().value(key);

      probe().delete(key);

      await().atMost(Duration.ofSeconds(10)).until(() -> written.equals(probe().value(key)));
      assertThat(probe().kv(key).getLease()).isEqualTo(registry.leaseId());
    }
  }

  @Test
  void aKeyOverwrittenWithoutTheLeaseIsPutBackOnTheLeaseAtTheNextCheck() {
    // The registry's watch on its own keys sees deletes only: a put that takes the key off the
    // lease is for the check every ObserveDelay, which asks for the keys attached to the lease.
    String service = uniqueService();
    String key = "kitex/registry-etcd/" + service + "/127.0.0.1:4001";
    try (EtcdRegistry registry =
        fixture.registry(
            RetryConfig.newRetryConfig(RetryConfig.withObserveDelay(Duration.ofSeconds(1))))) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 4001))
              .build());
      String written = probe().value(key);

      fixture
          .sharedProbe()
          .put(
              key,
              "{\"network\":\"tcp\",\"address\":\"10.9.9.9:1\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(probe().kv(key).getLease()).isZero();

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(probe().value(key)).isEqualTo(written);
                assertThat(probe().kv(key).getLease()).isEqualTo(registry.leaseId());
              });
      assertThat(registry.status().leaseRecoveries()).as("one key put back, no new lease").isZero();
    }
  }

  @Test
  void servicePrefixOptionWritesUnderThatPrefix() {
    String service = uniqueService();
    try (EtcdRegistry registry =
        fixture.registry(Option.withEtcdServicePrefix("hertz/registry-etcd"))) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 5))
              .build());

      assertThat(probe().value("hertz/registry-etcd/" + service + "/127.0.0.1:5")).isNotNull();
      assertThat(probe().value("kitex/registry-etcd/" + service + "/127.0.0.1:5")).isNull();
    }
  }

  @Test
  void wildcardAddressIsRegisteredAsTheFirstNonLoopbackIPv4() {
    String local =
        dev.registryetcd.etcd.internal.RegistrationAddress.firstNonLoopbackIPv4().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(
        local != null, "this machine has no non-loopback IPv4 address");
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("0.0.0.0", 8888))
              .build());

      assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/").keySet())
          .containsExactly("kitex/registry-etcd/" + service + "/" + local + ":8888");
    }
  }

  @Test
  void kitexEnvironmentVariablesReplaceHostAndPort() {
    String service = uniqueService();
    Map<String, String> env =
        Map.of("KITEX_IP_TO_REGISTRY", "10.1.2.3", "KITEX_PORT_TO_REGISTRY", "9999");
    try (EtcdRegistry registry =
        EtcdRegistry.builder().endpoints(etcd.clientEndpoints()).environment(env::get).build()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("0.0.0.0", 8888))
              .build());

      String key = "kitex/registry-etcd/" + service + "/10.1.2.3:9999";
      assertThat(
              InstanceCodec.decode(probe().value(key).getBytes(StandardCharsets.UTF_8)).address())
          .isEqualTo("10.1.2.3:9999");
    }
  }

  @Test
  void instanceOfTellsWhatResolversWillSeeWithoutWritingAnything() {
    String service = uniqueService();
    Map<String, String> env =
        Map.of("KITEX_IP_TO_REGISTRY", "10.1.2.3", "KITEX_PORT_TO_REGISTRY", "9999");
    try (EtcdRegistry registry =
        EtcdRegistry.builder().endpoints(etcd.clientEndpoints()).environment(env::get).build()) {
      Info info =
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("0.0.0.0", 8888))
              .weight(3)
              .tag("zone", "b")
              .build();

      Instance instance = registry.instanceOf(info);

      assertThat(instance).isEqualTo(new Instance("tcp", "10.1.2.3:9999", 3, Map.of("zone", "b")));
      assertThat(instance.socketAddress())
          .isEqualTo(InetSocketAddress.createUnresolved("10.1.2.3", 9999));
      assertThat(registry.keyOf(info)).endsWith("/" + instance.address());
      assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/")).isEmpty();
    }
  }

  @Test
  void fixedAddressReplacesHostPortAndNetwork() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      EtcdRegistry.setFixedAddress(registry, new InetSocketAddress("192.0.2.10", 7777));
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build());

      assertThat(probe().value("kitex/registry-etcd/" + service + "/192.0.2.10:7777"))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"192.0.2.10:7777\",\"weight\":10,\"tags\":null}");
    }
  }

  @Test
  void deregisterRemovesTheKeyRegisterStoredEvenAfterTheFixedAddressChanged() {
    String service = uniqueService();
    Info info =
        Info.builder().serviceName(service).address(new InetSocketAddress("127.0.0.1", 1)).build();
    try (EtcdRegistry registry = fixture.registry()) {
      EtcdRegistry.setFixedAddress(registry, new InetSocketAddress("192.0.2.10", 7777));
      registry.register(info);
      EtcdRegistry.setFixedAddress(registry, new InetSocketAddress("192.0.2.11", 8888));

      registry.deregister(info);

      assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/")).isEmpty();
      assertThat(registry.status().registrations()).isZero();
    }
  }

  @Test
  void ipv6AndUnixSocketAddressesAreWrittenAsGoReadsThem() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      registry.register(
          Info.builder().serviceName(service).address(new InetSocketAddress("::1", 8888)).build());
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(UnixDomainSocketAddress.of("/tmp/echo.sock"))
              .build());

      assertThat(probe().value("kitex/registry-etcd/" + service + "/[::1]:8888"))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"[::1]:8888\",\"weight\":10,\"tags\":null}");
      assertThat(probe().value("kitex/registry-etcd/" + service + "//tmp/echo.sock"))
          .isEqualTo(
              "{\"network\":\"unix\",\"address\":\"/tmp/echo.sock\",\"weight\":10,\"tags\":null}");
    }
  }

  @Test
  void endpointsWorkAsHostPortAndAsUrls() {
    for (List<String> endpoints :
        List.of(etcd.clientEndpointsAsHostPort(), etcd.clientEndpoints())) {
      String service = uniqueService();
      try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(endpoints)) {
        registry.register(
            Info.builder()
                .serviceName(service)
                .address(new InetSocketAddress("127.0.0.1", 1))
                .build());
        assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/")).hasSize(1);
      }
    }
  }

  @Test
  void addressThatCannotBeRegisteredIsRefusedAndNothingIsWritten() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry()) {
      assertThatThrownBy(
              () ->
                  registry.register(
                      Info.builder()
                          .serviceName(service)
                          .address(new InetSocketAddress("127.0.0.1", 0))
                          .build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("port");
      assertThatThrownBy(() -> registry.register(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("info");

      assertThat(probe().leasesUnder("kitex/registry-etcd/" + service + "/")).isEmpty();
      assertThat(registry.leaseId()).isZero();
    }
  }

  @Test
  void withRetryFactoryRegistersToo() {
    String service = uniqueService();
    RetryConfig retry = RetryConfig.newRetryConfig(RetryConfig.withMaxAttemptTimes(0));
    try (EtcdRegistry registry = fixture.registry(retry)) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 1))
              .build());
      assertThat(probe().value("kitex/registry-etcd/" + service + "/127.0.0.1:1")).isNotNull();
    }
  }

  @Test
  void closeLeavesNoRegistryThreadBehind() {
    EtcdRegistry registry = fixture.registry();
    registry.register(
        Info.builder()
            .serviceName(uniqueService())
            .address(new InetSocketAddress("127.0.0.1", 1))
            .build());
    Set<String> during = registryThreads();
    assertThat(during).isNotEmpty();

    registry.close();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(registryThreads()).doesNotContainAnyElementsOf(during));
  }
}
