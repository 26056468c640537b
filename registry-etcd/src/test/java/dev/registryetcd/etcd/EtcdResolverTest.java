package dev.registryetcd.etcd;

import static dev.registryetcd.etcd.EtcdFixture.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.registryetcd.codec.GoldenVectors;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.LiveDiscovery;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EtcdResolverTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @RegisterExtension static final EtcdFixture fixture = new EtcdFixture(etcd);

  private static EtcdProbe probe() {
    return fixture.sharedProbe();
  }

  private static void putRaw(String service, String address, String json) {
    fixture
        .sharedProbe()
        .put(
            "kitex/registry-etcd/" + service + "/" + address,
            json.getBytes(StandardCharsets.UTF_8));
  }

  /** Puts {@code host:(1000 + i)} into the i-th service, every put at once. */
  private static void putAll(List<String> services, String host) {
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (int i = 0; i < services.size(); i++) {
      String address = host + ":" + (1000 + i);
      puts.add(
          probe()
              .client()
              .getKVClient()
              .put(
                  ByteSequence.from(
                      "kitex/registry-etcd/" + services.get(i) + "/" + address,
                      StandardCharsets.UTF_8),
                  ByteSequence.from(value(address, 10), StandardCharsets.UTF_8)));
    }
    puts.forEach(CompletableFuture::join);
  }

  private static String value(String address, int weight) {
    return "{\"network\":\"tcp\",\"address\":\""
        + address
        + "\",\"weight\":"
        + weight
        + ",\"tags\":null}";
  }

  @Test
  void instancesRegisteredByEtcdRegistryAreResolved() {
    String service = uniqueService();
    try (EtcdRegistry registry = fixture.registry();
        EtcdResolver resolver = fixture.resolver()) {
      registry.register(
          Info.builder()
              .serviceName(service)
              .address(new InetSocketAddress("127.0.0.1", 8888))
              .weight(20)
              .tag("zone", "b")
              .build());

      Result result = resolver.resolve(service);

      assertThat(result.cacheable()).isTrue();
      assertThat(result.cacheKey()).isEqualTo(service);
      assertThat(result.instances())
          .containsExactly(new Instance("tcp", "127.0.0.1:8888", 20, Map.of("zone", "b")));
      assertThat(result.instances().get(0).tag("zone")).isEqualTo("b");
    }
  }

  @Test
  void everyGoldenEncodedValueIsResolvedAsGoWroteIt() throws Exception {
    String service = uniqueService();
    List<JsonNode> encodes = GoldenVectors.of("encode");
    List<String> expectedAddresses = new ArrayList<>();
    int i = 0;
    for (JsonNode vector : encodes) {
      String address = vector.get("input").get("address").asText();
      putRaw(service, "golden-" + i++, vector.get("expected").asText());
      // a value naming no address is no instance here (on purpose: Go's would fail every call)
      if (!address.isEmpty()) {
        expectedAddresses.add(address);
      }
    }
    try (EtcdResolver resolver = fixture.resolver()) {
      List<Instance> instances = resolver.resolve(service).instances();

      assertThat(instances)
          .extracting(Instance::address)
          .containsExactlyInAnyOrderElementsOf(expectedAddresses);
      assertThat(instances).allSatisfy(instance -> assertThat(instance.weight()).isPositive());
    }
  }

  @Test
  void everyGoldenDecodeVectorIsResolvedAsGoWouldAndBadOrAddresslessOnesAreSkipped()
      throws Exception {
    String service = uniqueService();
    List<JsonNode> decodes = GoldenVectors.of("decode");
    Map<String, JsonNode> byKey = new java.util.LinkedHashMap<>();
    int i = 0;
    for (JsonNode vector : decodes) {
      String key = "kitex/registry-etcd/" + service + "/vector-" + String.format("%03d", i++);
      probe().put(key, Base64.getDecoder().decode(vector.get("rawBase64").asText()));
      byKey.put(key, vector);
    }
    try (EtcdResolver resolver = fixture.resolver()) {
      List<Instance> instances = resolver.resolve(service).instances();

      List<Instance> expected =
          byKey.values().stream()
              .filter(v -> v.get("ok").asBoolean())
              // the one deliberate difference: a value naming no address is skipped, not resolved
              .filter(v -> !v.get("decoded").get("address").asText().isEmpty())
              .map(
                  v ->
                      new Instance(
                          v.get("decoded").get("network").asText(),
                          v.get("decoded").get("address").asText(),
                          v.get("effectiveWeight").asLong(),
                          GoldenVectors.tags(v.get("decoded").get("tags"))))
              .toList();
      assertThat(instances).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void anUndecodableValueIsSkippedWithOneEventNamingItsKeyEscapedOncePerRevisionNotPerResolve() {
    String service = uniqueService();
    // anyone who can write under the prefix chooses the key: a line break, ESC and a bidi override
    String badKey = "kitex/registry-etcd/" + service + "/garbage\n\u001b[31m\u202e";
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
    probe().put(badKey, "127.0.0.1:8888".getBytes(StandardCharsets.UTF_8));
    List<String> skipped = new CopyOnWriteArrayList<>();
    EtcdEvents events =
        new EtcdEvents() {
          @Override
          public void valueSkipped(String key, String reason) {
            skipped.add(key + " | " + reason);
          }
        };
    try (EtcdResolver resolver =
        EtcdResolver.builder().endpoints(etcd.clientEndpointsAsHostPort()).events(events).build()) {
      for (int i = 0; i < 5; i++) {
        assertThat(resolver.resolve(service).instances())
            .extracting(Instance::address)
            .containsExactly("127.0.0.1:1");
      }
      putRaw(
          service,
          "127.0.0.1:2",
          value("127.0.0.1:2", 10)); // a later batch leaves the bad key alone
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> resolver.resolve(service).instances().size() == 2);

      String escapedKey = "kitex/registry-etcd/" + service + "/garbage\\u000a\\u001b[31m\\u202e";
      assertThat(skipped)
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith(escapedKey + " | value is ")
          .contains("JSON");

      fixture
          .sharedProbe()
          .put(badKey, "{\"weight\":\"x\"}".getBytes(StandardCharsets.UTF_8)); // a new revision
      await().atMost(Duration.ofSeconds(5)).until(() -> skipped.size() == 2);
      assertThat(skipped.get(1))
          .isEqualTo(escapedKey + " | weight is a string, expected an integer");
    }
  }

  @Test
  void aServiceNeverReturnsTheInstancesOfAServiceWhoseNameItPrefixes() {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
    putRaw(service + "-b", "127.0.0.1:2", value("127.0.0.1:2", 10));
    try (EtcdResolver resolver = fixture.resolver()) {
      assertThat(resolver.resolve(service).instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");
      assertThat(resolver.resolve(service + "-b").instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:2");
    }
  }

  @Test
  void hertzPrefixReadsHertzRegistrations() {
    String service = uniqueService();
    fixture
        .sharedProbe()
        .put(
            "hertz/registry-etcd/" + service + "/127.0.0.1:3",
            value("127.0.0.1:3", 5).getBytes(StandardCharsets.UTF_8));
    try (EtcdResolver resolver =
            fixture.resolver(Option.withEtcdServicePrefix("hertz/registry-etcd"));
        EtcdResolver kitex = fixture.resolver()) {
      assertThat(resolver.resolve(service).instances())
          .containsExactly(new Instance("tcp", "127.0.0.1:3", 5, null));
      assertThatThrownBy(() -> kitex.resolve(service)).isInstanceOf(NoInstanceException.class);
    }
  }

  @Test
  void weightZeroOrBelowBecomesTheDefaultWeight() {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 0));
    putRaw(service, "127.0.0.1:2", value("127.0.0.1:2", -4));
    try (EtcdResolver goDefault = fixture.resolver();
        EtcdResolver custom = fixture.resolver(Option.withDefaultWeight(33))) {
      assertThat(goDefault.resolve(service).instances())
          .extracting(Instance::weight)
          .containsOnly(10L);
      assertThat(custom.resolve(service).instances())
          .extracting(Instance::weight)
          .containsOnly(33L);
    }
  }

  @Test
  void aServiceWithoutInstancesIsAnErrorSayingSo() {
    String service = uniqueService();
    try (EtcdResolver resolver = fixture.resolver()) {
      assertThatThrownBy(() -> resolver.resolve(service))
          .isInstanceOf(NoInstanceException.class)
          .hasMessage("no instance remains for " + service);
    }
  }

  @Test
  void invalidServiceNameIsRefused() {
    try (EtcdResolver resolver = fixture.resolver()) {
      assertThatThrownBy(() -> resolver.resolve("a/b"))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> resolver.resolve("")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void subscriberGetsTheCurrentInstancesThenEachAddUpdateAndRemove() {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
    List<Change> changes = new CopyOnWriteArrayList<>();
    try (EtcdResolver resolver = fixture.resolver();
        Subscription ignored = resolver.subscribe(service, changes::add)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
      assertThat(changes.get(0).added())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");

      putRaw(service, "127.0.0.1:2", value("127.0.0.1:2", 10));
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 2);
      assertThat(changes.get(1).added())
          .containsExactly(new Instance("tcp", "127.0.0.1:2", 10, null));

      putRaw(
          service,
          "127.0.0.1:2",
          "{\"network\":\"tcp\",\"address\":\"127.0.0.1:2\",\"weight\":50,"
              + "\"tags\":{\"v\":\"2\"}}");
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 3);
      assertThat(changes.get(2).updated())
          .containsExactly(new Instance("tcp", "127.0.0.1:2", 50, Map.of("v", "2")));
      assertThat(changes.get(2).added()).isEmpty();

      probe().delete("kitex/registry-etcd/" + service + "/127.0.0.1:1");
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 4);
      assertThat(changes.get(3).removed())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");
      assertThat(changes.get(3).result().instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:2");
      assertThat(resolver.resolve(service).instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:2");
    }
  }

  @Test
  void aThrowingOrSlowListenerHarmsNeitherTheCacheNorOtherListeners() throws Exception {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
    CountDownLatch release = new CountDownLatch(1);
    List<Change> healthy = new CopyOnWriteArrayList<>();
    try (EtcdResolver resolver = fixture.resolver();
        Subscription thrower =
            resolver.subscribe(
                service,
                change -> {
                  throw new IllegalStateException("listener bug");
                });
        Subscription slow =
            resolver.subscribe(
                service,
                change -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
        Subscription good = resolver.subscribe(service, healthy::add)) {
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> healthy.size() == 1); // subscribe returns before the first read
      putRaw(service, "127.0.0.1:2", value("127.0.0.1:2", 10));

      await().atMost(Duration.ofSeconds(5)).until(() -> healthy.size() == 2);
      assertThat(resolver.resolve(service).instances()).hasSize(2);
      release.countDown();
    }
  }

  @Test
  void instancesIsEmptyRatherThanAnErrorAndTheSameListUntilTheServiceChanges() {
    String service = uniqueService();
    try (EtcdResolver resolver = fixture.resolver()) {
      LiveDiscovery discovery = resolver;
      assertThat(discovery.instances(service)).isEmpty();

      putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
      await().atMost(Duration.ofSeconds(5)).until(() -> discovery.instances(service).size() == 1);
      List<Instance> first = discovery.instances(service);
      assertThat(discovery.instances(service)).isSameAs(first);
      assertThat(first).isEqualTo(resolver.resolve(service).instances());
      assertThatThrownBy(() -> discovery.instances("a/b"))
          .isInstanceOf(IllegalArgumentException.class);

      probe().delete("kitex/registry-etcd/" + service + "/127.0.0.1:1");
      await().atMost(Duration.ofSeconds(5)).until(() -> discovery.instances(service).isEmpty());
    }
  }

  @Test
  void aListenerRunsOnTheExecutorItGaveOneCallAtATimeInOrder() throws Exception {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:0", value("127.0.0.1:0", 10));
    ExecutorService pool =
        Executors.newFixedThreadPool(
            4,
            task -> {
              Thread thread = new Thread(task, "given-listener-thread");
              thread.setDaemon(true);
              return thread;
            });
    List<String> threads = new CopyOnWriteArrayList<>();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlapped = new AtomicInteger();
    List<Integer> direct = new CopyOnWriteArrayList<>();
    List<String> directThreads = new CopyOnWriteArrayList<>();
    try (EtcdResolver resolver = fixture.resolver();
        Subscription onPool =
            resolver.subscribe(
                service,
                change -> {
                  if (inside.incrementAndGet() > 1) {
                    overlapped.incrementAndGet();
                  }
                  threads.add(Thread.currentThread().getName());
                  sizes.add(change.result().instances().size());
                  inside.decrementAndGet();
                },
                pool);
        Subscription onLoop =
            resolver.subscribe(
                service,
                change -> {
                  directThreads.add(Thread.currentThread().getName());
                  direct.add(change.result().instances().size());
                },
                Runnable::run)) {
      for (int i = 1; i <= 20; i++) {
        putRaw(service, "127.0.0.1:" + i, value("127.0.0.1:" + i, 10));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> sizes.contains(21));
      await().atMost(Duration.ofSeconds(5)).until(() -> direct.contains(21));
      assertThat(sizes).isSorted();
      assertThat(direct).isSorted();
      assertThat(directThreads).allMatch(name -> name.startsWith("registry-etcd-watch-stream-"));
      assertThat(overlapped).hasValue(0);
      assertThat(threads).containsOnly("given-listener-thread");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void resolvesAfterTheFirstMakeNoRequestToEtcd() {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
    AtomicInteger ranges = new AtomicInteger();
    ClientInterceptor counter =
        new ClientInterceptor() {
          @Override
          public <Q, A> ClientCall<Q, A> interceptCall(
              MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            if (method.getFullMethodName().endsWith("KV/Range")) {
              ranges.incrementAndGet();
            }
            return next.newCall(method, options);
          }
        };
    try (Client client =
            Client.builder()
                .endpoints(etcd.clientEndpoints().toArray(String[]::new))
                .interceptor(counter)
                .build();
        EtcdResolver resolver = EtcdResolver.builder().client(client).build()) {
      resolver.resolve(service);
      int afterFirst = ranges.get();

      for (int i = 0; i < 1000; i++) {
        resolver.resolve(service);
      }

      assertThat(afterFirst).isEqualTo(1);
      assertThat(ranges.get()).isEqualTo(afterFirst);
    }
  }

  @Test
  void subscribingToManyServicesAtOnceGivesEachItsOwnInstancesThenItsChanges() {
    // started together, their first reads go to etcd as a few transactions (ServiceCachesTest)
    int services = 300;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      names.add(uniqueService());
    }
    putAll(names, "127.0.0.1");
    List<RecordingListener> listeners = new ArrayList<>();
    List<Subscription> subscriptions = new ArrayList<>();
    try (EtcdResolver resolver = fixture.resolver()) {
      for (String name : names) {
        RecordingListener listener = new RecordingListener();
        listeners.add(listener);
        subscriptions.add(resolver.subscribe(name, listener));
      }
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                for (int i = 0; i < services; i++) {
                  assertThat(listeners.get(i).addresses())
                      .containsExactly("127.0.0.1:" + (1000 + i));
                }
              });

      putAll(names, "127.0.0.2");

      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                for (int i = 0; i < services; i++) {
                  assertThat(listeners.get(i).addresses())
                      .containsExactlyInAnyOrder(
                          "127.0.0.1:" + (1000 + i), "127.0.0.2:" + (1000 + i));
                }
              });
      assertThat(listeners).allMatch(listener -> listener.errors.isEmpty());
    } finally {
      subscriptions.forEach(Subscription::close);
    }
  }

  @Test
  void manyServicesResolvedAtOnceEachGetTheirOwnInstances() throws Exception {
    int services = 40;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      String service = uniqueService();
      names.add(service);
      putRaw(service, "127.0.0.1:" + (1000 + i), value("127.0.0.1:" + (1000 + i), 10));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try (EtcdResolver resolver = fixture.resolver()) {
      List<Future<Result>> results = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (String name : names) {
          results.add(pool.submit(() -> resolver.resolve(name)));
        }
      }
      for (int i = 0; i < results.size(); i++) {
        Result result = results.get(i).get(30, TimeUnit.SECONDS);
        int index = i % services;
        assertThat(result.cacheKey()).isEqualTo(names.get(index));
        assertThat(result.instances())
            .extracting(Instance::address)
            .containsExactly("127.0.0.1:" + (1000 + index));
      }
      assertThat(resolver.cachedServices()).containsExactlyInAnyOrderElementsOf(names);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void servicesNotResolvedForTheIdleTimeAreDroppedAndTheirWatchClosed() {
    String idle = uniqueService();
    String subscribed = uniqueService();
    putRaw(idle, "127.0.0.1:1", value("127.0.0.1:1", 10));
    putRaw(subscribed, "127.0.0.1:1", value("127.0.0.1:1", 10));
    try (EtcdResolver resolver =
            EtcdResolver.builder()
                .endpoints(etcd.clientEndpoints())
                .idleTimeout(Duration.ofMillis(300))
                .build();
        Subscription kept = resolver.subscribe(subscribed, change -> {})) {
      resolver.resolve(idle);
      assertThat(resolver.cachedServices()).contains(idle, subscribed);

      await().atMost(Duration.ofSeconds(5)).until(() -> !resolver.cachedServices().contains(idle));
      assertThat(resolver.cachedServices()).contains(subscribed);

      // a later resolve starts again and still sees etcd's truth
      putRaw(idle, "127.0.0.1:2", value("127.0.0.1:2", 10));
      assertThat(resolver.resolve(idle).instances()).hasSize(2);
    }
  }

  @Test
  void closeLeavesNoStreamOrListenerThreadBehind() {
    String service = uniqueService();
    putRaw(service, "127.0.0.1:1", value("127.0.0.1:1", 10));
    EtcdResolver resolver = fixture.resolver();
    List<Change> changes = new CopyOnWriteArrayList<>();
    resolver.subscribe(service, changes::add);
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.size() == 1);
    Set<String> during = resolverThreads();
    assertThat(during).isNotEmpty();

    resolver.close();
    resolver.close();

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(resolverThreads()).doesNotContainAnyElementsOf(during));
    assertThatThrownBy(() -> resolver.resolve(service)).isInstanceOf(IllegalStateException.class);
  }

  private static Set<String> resolverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            name ->
                name.startsWith("registry-etcd-watch-stream-")
                    || name.startsWith("registry-etcd-listener-"))
        .collect(Collectors.toSet());
  }
}
