package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Where etcd's memory per watching client goes: one 3-member cluster started with {@code
 * --enable-pprof}, then, step by step on the same members, jetcd clients connected (one read each),
 * our resolvers on those clients subscribed to every service, the same a minute later, the
 * resolvers closed, and a jetcd {@code Watcher} per service on the same clients. At each step, per
 * member: resident memory ({@code /proc}), Go's own figures ({@code /metrics}), TCP connections on
 * its client port, then a heap profile after a collection ({@code /debug/pprof/heap?gc=1&debug=1})
 * and the goroutines, saved to {@code <out>/<step>-<member>.heap} and {@code .goroutine}; one line
 * per member and step in {@code <out>/steps.txt}. The heap profile is sampled (one allocation per
 * 512 KiB on average): scale its records as {@code go tool pprof} does before reading bytes off it.
 * Environment variables reach the members (for example {@code GOGC=50}).
 *
 * <p>Not part of {@code scripts/bench.sh}; run by hand:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.registryetcd.benchmarks.fleet.MemoryProbe \
 *     [clients 200] [services 50] [out dir target/memory-probe] [liveness interval s, 1] \
 *     [jetcd load balancer policy, round_robin]
 * </pre>
 */
public final class MemoryProbe {
  private static final String PREFIX = "bench/fleet";

  private final List<EtcdMember> members;
  private final Path out;
  private final List<String> rows = new ArrayList<>();

  private MemoryProbe(EtcdCluster cluster, Path out) {
    this.members = cluster.members();
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int serviceCount = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path out = Path.of(args.length > 2 ? args[2] : "target/memory-probe");
    Duration liveness = Duration.ofSeconds(args.length > 3 ? Long.parseLong(args[3]) : 1);
    String balancer = args.length > 4 ? args[4] : "round_robin";
    Files.createDirectories(out);
    List<String> services = new ArrayList<>();
    for (int s = 0; s < serviceCount; s++) {
      services.add(FleetScenario.serviceOf(s));
    }
    System.err.println(
        "probe: " + Instant.now() + " " + clients + " clients x " + serviceCount + " " + balancer);
    try (EtcdCluster cluster =
            EtcdCluster.builder().members(3).extraFlags(List.of("--enable-pprof")).start();
        EtcdRegistry registry =
            EtcdRegistry.builder()
                .endpoints(cluster.clientEndpoints())
                .options(Option.withEtcdServicePrefix(PREFIX))
                .build()) {
      for (int s = 0; s < serviceCount; s++) {
        registry.register(
            Info.builder()
                .serviceName(services.get(s))
                .address(new InetSocketAddress("10.76.0." + (s & 255), 9000))
                .build());
      }
      MemoryProbe probe = new MemoryProbe(cluster, out);
      probe.settleAndRecord("0-idle");
      List<Client> jetcd = new ArrayList<>();
      try {
        for (int k = 0; k < clients; k++) {
          Client client =
              Client.builder().endpoints(cluster.clientEndpoints().toArray(String[]::new)).build();
          jetcd.add(client);
          client.getKVClient().get(bytes(PREFIX + "/")).get(30, TimeUnit.SECONDS);
        }
        probe.settleAndRecord("1-connected");
        List<EtcdResolver> resolvers = new ArrayList<>();
        CountDownLatch first = new CountDownLatch(clients * serviceCount);
        for (Client client : jetcd) {
          EtcdResolver resolver =
              EtcdResolver.builder()
                  .client(client)
                  .options(Option.withEtcdServicePrefix(PREFIX))
                  .watchLiveness(liveness, Duration.ofMillis(500))
                  .build();
          resolvers.add(resolver);
          for (String service : services) {
            boolean[] seen = {false};
            ChangeListener listener =
                change -> {
                  if (!seen[0]) {
                    seen[0] = true;
                    first.countDown();
                  }
                };
            resolver.subscribe(service, listener);
          }
        }
        if (!first.await(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException(first.getCount() + " subscriptions had no first call");
        }
        probe.settleAndRecord("2-ours");
        TimeUnit.SECONDS.sleep(60);
        probe.settleAndRecord("3-ours-60s-later");
        resolvers.forEach(EtcdResolver::close);
        probe.settleAndRecord("4-ours-closed");
        List<Watch.Watcher> watchers = new ArrayList<>();
        CountDownLatch created = new CountDownLatch(clients * serviceCount);
        for (Client client : jetcd) {
          for (String service : services) {
            watchers.add(
                client
                    .getWatchClient()
                    .watch(
                        bytes(PREFIX + "/" + service + "/"),
                        WatchOption.builder()
                            .isPrefix(true)
                            .withRequireLeader(true)
                            .withCreateNotify(true)
                            .build(),
                        response -> {
                          if (response.isCreatedNotify()) {
                            created.countDown();
                          }
                        }));
          }
        }
        if (!created.await(2, TimeUnit.MINUTES)) {
          throw new IllegalStateException(created.getCount() + " watchers not created");
        }
        probe.settleAndRecord("5-plain-watchers");
        watchers.forEach(Watch.Watcher::close);
      } finally {
        jetcd.forEach(Client::close);
      }
    }
    System.err.println("probe: done " + Instant.now());
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** Waits for resident memory to settle (or 30 s), then records every member. */
  private void settleAndRecord(String step) throws Exception {
    long previous = -1;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    TimeUnit.SECONDS.sleep(3);
    while (System.nanoTime() < deadline) {
      long rss = 0;
      for (EtcdMember member : members) {
        rss += status(member.pid(), "VmRSS:");
      }
      if (previous >= 0 && Math.abs(rss - previous) <= Math.max(1 << 20, rss / 100)) {
        break;
      }
      previous = rss;
      TimeUnit.SECONDS.sleep(1);
    }
    for (EtcdMember member : members) {
      record(step, member);
    }
    Files.write(out.resolve("steps.txt"), rows);
  }

  private void record(String step, EtcdMember member) throws IOException {
    String base = member.directClientEndpoint();
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("step", step);
    row.put("member", member.name());
    row.put("VmRSS", status(member.pid(), "VmRSS:"));
    row.put("RssAnon", status(member.pid(), "RssAnon:"));
    row.put("tcpIn", LiveMemory.established(port));
    Map<String, Double> before = metrics(base);
    row.putAll(before);
    String name = step + "-" + member.name();
    Files.writeString(
        out.resolve(name + ".heap"), MemberReading.get(base + "/debug/pprof/heap?gc=1&debug=1"));
    Files.writeString(
        out.resolve(name + ".goroutine"),
        MemberReading.get(base + "/debug/pprof/goroutine?debug=1"));
    Map<String, Double> after = metrics(base);
    row.put("afterGc_heap_alloc", after.get("go_memstats_heap_alloc_bytes"));
    row.put("afterGc_heap_inuse", after.get("go_memstats_heap_inuse_bytes"));
    StringBuilder line = new StringBuilder();
    row.forEach(
        (k, v) ->
            line.append(k)
                .append('=')
                .append(v instanceof Double d ? String.format(Locale.ROOT, "%.0f", d) : v)
                .append(' '));
    rows.add(line.toString().trim());
    System.err.println(line);
  }

  private static final List<String> METRICS =
      List.of(
          "etcd_debugging_mvcc_watch_stream_total",
          "etcd_debugging_mvcc_watcher_total",
          "go_goroutines",
          "go_memstats_heap_alloc_bytes",
          "go_memstats_heap_inuse_bytes",
          "go_memstats_heap_idle_bytes",
          "go_memstats_heap_released_bytes",
          "go_memstats_heap_sys_bytes",
          "go_memstats_stack_inuse_bytes",
          "go_memstats_next_gc_bytes",
          "go_memstats_sys_bytes",
          "go_memstats_mspan_inuse_bytes",
          "go_memstats_other_sys_bytes",
          "go_memstats_buck_hash_sys_bytes",
          "go_memstats_gc_sys_bytes");

  private static Map<String, Double> metrics(String base) {
    Map<String, Double> values = new LinkedHashMap<>();
    for (String line : MemberReading.get(base + "/metrics").split("\n")) {
      int space = line.lastIndexOf(' ');
      if (space > 0 && METRICS.contains(line.substring(0, space))) {
        values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
      }
    }
    return values;
  }

  private static long status(long pid, String name) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      if (line.startsWith(name)) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no " + name + " in /proc/" + pid + "/status");
  }
}
