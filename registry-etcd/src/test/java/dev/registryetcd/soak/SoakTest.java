package dev.registryetcd.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Churn on a 3-member cluster with a fault injected every period (in turn: leader kill, leader
 * frozen past the TTL, follower restart, leader's client port blackholed past the TTL, a follower's
 * client port blackholed past the TTL, a follower cut off from its peers past the TTL), then checks
 * that nothing was lost or leaked. Not part of the test suite: run it with {@code scripts/soak.sh
 * [minutes]}; it writes {@code target/soak-report.md}.
 */
@Tag("soak")
class SoakTest {
  private static final Duration TTL = Duration.ofSeconds(3);
  private static final List<String> SERVICES = List.of("alpha", "beta", "gamma");
  private static final int REGISTRIES = 5;
  private static final int PORTS_PER_REGISTRY = 12;

  @RegisterExtension
  static final EtcdExtension etcd =
      EtcdExtension.of(EtcdCluster.builder().members(3).networkFaults());

  @Test
  void churnWithFaultsEveryPeriodLosesNothingAndLeaksNothing() throws Exception {
    Duration total =
        Duration.ofSeconds(
            (long) (Double.parseDouble(System.getProperty("soak.minutes", "10")) * 60));
    Duration faultEvery =
        total.dividedBy(10).compareTo(Duration.ofSeconds(15)) < 0
            ? Duration.ofSeconds(15)
            : total.dividedBy(10);
    int threadsBefore = threadsOutsideTheTestKit().size();
    List<String> report = new ArrayList<>();
    report.add("| time | fault | registrations in etcd after | views equal etcd |");
    report.add("|---|---|---|---|");

    RetryConfig retry =
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(0),
            RetryConfig.withRetryDelay(Duration.ofMillis(300)),
            RetryConfig.withObserveDelay(Duration.ofSeconds(2)));
    List<EtcdRegistry> registries = new ArrayList<>();
    List<Map<String, Info>> intended = new ArrayList<>();
    for (int r = 0; r < REGISTRIES; r++) {
      registries.add(
          EtcdRegistry.newEtcdRegistryWithRetry(
              etcd.clientEndpointsAsHostPort(),
              retry,
              Option.withLeaseTtl(TTL),
              Option.withDialTimeoutOpt(Duration.ofSeconds(1))));
      intended.add(new ConcurrentHashMap<>());
    }
    List<EtcdResolver> resolvers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EtcdResolver resolver = EtcdResolver.newEtcdResolver(etcd.clientEndpointsAsHostPort());
      SERVICES.forEach(service -> resolver.subscribe(service, change -> {}));
      resolvers.add(resolver);
    }

    AtomicBoolean churning = new AtomicBoolean(true);
    AtomicLong operations = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    List<Thread> churners = new ArrayList<>();
    for (int r = 0; r < REGISTRIES; r++) {
      int index = r;
      Thread churner =
          new Thread(
              () -> {
                Random random = new Random(1000 + index);
                while (churning.get()) {
                  String service = SERVICES.get(random.nextInt(SERVICES.size()));
                  int port = 10_000 + index * 100 + random.nextInt(PORTS_PER_REGISTRY);
                  Info info =
                      Info.builder()
                          .serviceName(service)
                          .address(new InetSocketAddress("127.0.0.1", port))
                          .weight(1 + random.nextInt(5))
                          .build();
                  String key = registries.get(index).keyOf(info);
                  boolean registered = intended.get(index).containsKey(key);
                  boolean deregistering = registered && random.nextBoolean();
                  try {
                    if (deregistering) {
                      registries.get(index).deregister(info);
                      intended.get(index).remove(key);
                    } else {
                      registries.get(index).register(info);
                      intended.get(index).put(key, info);
                    }
                    operations.incrementAndGet();
                  } catch (RegistryException e) {
                    // As documented: a failed deregister is no longer registered; a failed register
                    // of a new
                    // address is not registered; a failed update keeps the registration it
                    // replaced.
                    if (deregistering || !registered) {
                      intended.get(index).remove(key);
                    }
                    refused.incrementAndGet();
                  }
                  pace();
                }
              },
              "soak-churn-" + r);
      churner.start();
      churners.add(churner);
    }

    long heapAtStart = usedHeapAfterGc();
    Instant start = Instant.now();
    int fault = 0;
    try (Client probe = EtcdClients.newClient(etcd.clientEndpoints())) {
      while (Duration.between(start, Instant.now()).compareTo(total) < 0) {
        long nextFaultNanos = faultEvery.toNanos() * (fault + 1);
        // the soak's schedule: a fault every period
        await()
            .pollDelay(Duration.ZERO)
            .atMost(faultEvery.plusSeconds(1))
            .until(() -> Duration.between(start, Instant.now()).toNanos() >= nextFaultNanos);
        String what = injectFault(fault++);
        report.add(
            "| "
                + Duration.between(start, Instant.now()).toSeconds()
                + " s | "
                + what
                + " | "
                + countUnder(probe, "kitex/registry-etcd/")
                + " | (checked at the end) |");
      }
      churning.set(false);
      for (Thread churner : churners) {
        churner.join(Duration.ofSeconds(30).toMillis());
      }
      etcd.cluster().awaitHealthy(Duration.ofSeconds(30));

      // Every live registration in etcd exactly once, on its registry's lease; every view equals
      // etcd.
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                Map<String, Long> inEtcd = leasesUnder(probe, "kitex/registry-etcd/");
                Map<String, Long> expected = new TreeMap<>();
                for (int r = 0; r < REGISTRIES; r++) {
                  for (String key : intended.get(r).keySet()) {
                    expected.put(key, registries.get(r).leaseId());
                  }
                }
                Map<String, Long> missing = new TreeMap<>(expected);
                missing.keySet().removeAll(inEtcd.keySet());
                Map<String, Long> extra = new TreeMap<>(inEtcd);
                extra.keySet().removeAll(expected.keySet());
                assertThat(missing).as("registrations missing from etcd").isEmpty();
                assertThat(extra).as("keys in etcd that no registry holds").isEmpty();
                assertThat(inEtcd).as("each key on its registry's lease").isEqualTo(expected);
                for (EtcdResolver resolver : resolvers) {
                  for (String service : SERVICES) {
                    assertThat(view(resolver, service)).isEqualTo(truth(probe, service));
                  }
                }
                assertThat(leaseCount()).isEqualTo(REGISTRIES);
              });
      long heapAtEnd = usedHeapAfterGc();

      report.add("");
      report.add(
          "- duration: "
              + total.toSeconds()
              + " s, a fault every "
              + faultEvery.toSeconds()
              + " s ("
              + fault
              + " faults); "
              + REGISTRIES
              + " registries churning, 3 resolvers subscribed to "
              + SERVICES.size()
              + " services");
      report.add(
          "- operations: "
              + operations.get()
              + " register/deregister calls succeeded, "
              + refused.get()
              + " refused during faults (the caller was told)");
      report.add(
          "- at the end: etcd held exactly the "
              + leasesUnder(probe, "kitex/registry-etcd/").size()
              + " live registrations, each on its registry's lease; leases in etcd: "
              + leaseCount()
              + " for "
              + REGISTRIES
              + " registries; every resolver view equal to a fresh range read");
      report.add(
          "- used heap after GC: "
              + heapAtStart / 1024
              + " KiB at start, "
              + heapAtEnd / 1024
              + " KiB at the end");
    } finally {
      churning.set(false);
      resolvers.forEach(EtcdResolver::close);
      registries.forEach(EtcdRegistry::close);
    }
    Files.createDirectories(Path.of("target"));
    // the report so far is kept even when the thread check below fails, with the threads named
    Files.write(Path.of("target", "soak-report.md"), report);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(threadsOutsideTheTestKit())
                    .as("threads alive after closing everything, the test kit's aside")
                    .hasSizeLessThanOrEqualTo(threadsBefore + 8));
    report.add(
        "- threads, the test kit's aside: "
            + threadsBefore
            + " before, "
            + threadsOutsideTheTestKit().size()
            + " after closing everything");
    Path out = Path.of("target", "soak-report.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, String.join("\n", report) + "\n", StandardCharsets.UTF_8);
    System.out.println(String.join("\n", report));
  }

  private static void pace() {
    try {
      Thread.sleep(50); // the workload's rate: about 20 operations per second per registry
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String injectFault(int n) {
    switch (n % 6) {
      case 0 -> {
        EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(30));
        leader.kill();
        leader.restart();
        return "leader " + leader.name() + " killed (SIGKILL) and restarted";
      }
      case 1 -> {
        EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(30));
        return pastTheTtl(
            "leader " + leader.name() + " frozen (SIGSTOP)", leader::freeze, leader::thaw);
      }
      case 2 -> {
        EtcdMember follower = etcd.cluster().followers().get(0);
        follower.stop();
        follower.restart();
        return "follower " + follower.name() + " stopped and restarted";
      }
      case 3 -> {
        EtcdMember leader = etcd.cluster().awaitLeader(Duration.ofSeconds(30));
        return pastTheTtl(
            "leader " + leader.name() + "'s client port blackholed",
            () -> leader.clientProxy().blackhole(),
            () -> leader.clientProxy().heal());
      }
      case 4 -> {
        EtcdMember follower = etcd.cluster().followers().get(0);
        return pastTheTtl(
            "follower " + follower.name() + "'s client port blackholed",
            () -> follower.clientProxy().blackhole(),
            () -> follower.clientProxy().heal());
      }
      default -> {
        EtcdMember follower = etcd.cluster().followers().get(0);
        return pastTheTtl(
            "follower " + follower.name() + " cut off from its peers",
            follower::isolateFromPeers,
            follower::healPeers);
      }
    }
  }

  /** {@code start}, a wait one second longer than the lease TTL, then {@code end}. */
  private static String pastTheTtl(String fault, Runnable start, Runnable end) {
    start.run();
    long startedAt = System.nanoTime();
    try {
      await()
          .pollDelay(Duration.ZERO)
          .atMost(TTL.multipliedBy(3))
          .until(() -> System.nanoTime() - startedAt > TTL.plusSeconds(1).toNanos());
    } finally {
      end.run();
    }
    return fault + " for " + TTL.plusSeconds(1).toSeconds() + " s, longer than the lease TTL";
  }

  private static Map<String, Long> view(EtcdResolver resolver, String service) {
    Map<String, Long> instances = new TreeMap<>();
    try {
      for (Instance instance : resolver.resolve(service).instances()) {
        instances.put(instance.address(), instance.weight());
      }
    } catch (NoInstanceException none) {
      // empty
    }
    return instances;
  }

  private static Map<String, Long> truth(Client probe, String service) throws Exception {
    Map<String, Long> instances = new TreeMap<>();
    for (KeyValue kv : get(probe, "kitex/registry-etcd/" + service + "/")) {
      var info = InstanceCodec.decode(kv.getValue().getBytes());
      instances.put(info.address(), info.withDefaultWeight(10).weight());
    }
    return instances;
  }

  private static Map<String, Long> leasesUnder(Client probe, String prefix) throws Exception {
    Map<String, Long> leases = new TreeMap<>();
    for (KeyValue kv : get(probe, prefix)) {
      leases.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getLease());
    }
    return leases;
  }

  private static int countUnder(Client probe, String prefix) throws Exception {
    return get(probe, prefix).size();
  }

  private static List<KeyValue> get(Client probe, String prefix) throws Exception {
    return EtcdClients.await(
            probe
                .getKVClient()
                .get(
                    ByteSequence.from(prefix, StandardCharsets.UTF_8),
                    GetOption.builder().isPrefix(true).build()),
            Duration.ofSeconds(10),
            "read " + prefix)
        .getKvs();
  }

  /** Leases etcd holds, through its JSON gateway (jetcd does not list leases). */
  private static int leaseCount() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(etcd.clientEndpoints().get(0) + "/v3/lease/leases"))
                    .timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode leases = new ObjectMapper().readTree(response.body()).path("leases");
    Set<String> ids = new TreeSet<>();
    leases.forEach(lease -> ids.add(lease.path("ID").asText()));
    return ids.size();
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /**
   * Live threads other than the test kit's own: its proxies keep a thread per direction of every
   * connection etcd's members hold to each other (a number that moves with each fault), and its
   * health probes and process reapers come and go. None of these is the library's.
   */
  private static List<String> threadsOutsideTheTestKit() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            name ->
                !name.startsWith("etcd-proxy ")
                    && !name.startsWith("HttpClient-")
                    && !name.startsWith("process reaper"))
        .sorted()
        .toList();
  }
}
