package dev.registryetcd.benchmarks.scale;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.baseline.SeedRegister;
import dev.registryetcd.benchmarks.process.ChildJvm;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 4, scale: one {@link EtcdRegistry} registers services × instances; we count the leases
 * it holds and, with a {@link RequestCounter} on the jetcd client handed to it, the keep-alives it
 * sends at steady state. seed-register does the same until it has them all or its time is up. A
 * resolver in a JVM of its own ({@link ColdStartJvm}) subscribes to every service: cold-start time,
 * and heap per cached instance.
 *
 * <p>One file for one report: its length is the rows it measures (leases, keep-alives, cold start,
 * heap, and etcd's watch streams for ours against jetcd's watcher per service), each a short method
 * that sets up, measures and adds its row; the measuring tools live beside it ({@code
 * RequestCounter}, {@code ColdStartJvm}, the test kit's {@code WatchMetrics}).
 */
public final class ScaleScenario implements Scenario {
  static final String PREFIX = "bench/scale";
  static final String SEED_PREFIX = "bench/scale-seed";
  private static final long HEAP_TARGET_BYTES = 1024;

  /**
   * Cold starts timed of each, seed-resolve and the resolver, alternating which goes first: the row
   * shows the medians, and the spread of the rounds' ratios.
   */
  static final int COLD_START_ROUNDS = 7;

  /** The size for counting etcd's watch streams: a resolver following 1,000 services. */
  static final int WATCHED_SERVICES = 1000;

  /**
   * @param services how many services
   * @param instancesPerService instances of each (at most 254)
   * @param leaseTtl the lease TTL of both registries
   * @param keepAliveWindow how long keep-alives are counted at steady state
   * @param seedRegisterBound how long seed-register may take to register
   */
  public record Sizes(
      int services,
      int instancesPerService,
      Duration leaseTtl,
      Duration keepAliveWindow,
      Duration seedRegisterBound) {
    public int instances() {
      return services * instancesPerService;
    }
  }

  /** Messages sent in a window of steady state. */
  record Window(Duration length, Map<String, Long> sent) {
    double perTtl(String method, Duration ttl) {
      return sent.getOrDefault(method, 0L) * (double) ttl.toNanos() / length.toNanos();
    }

    double perMinute(String method) {
      return sent.getOrDefault(method, 0L) * 60e9 / length.toNanos();
    }

    double allPerMinute() {
      return sent.values().stream().mapToLong(Long::longValue).sum() * 60e9 / length.toNanos();
    }
  }

  /**
   * One registry's figures.
   *
   * @param count registrations made
   * @param keys keys in etcd right after registering
   * @param leases distinct leases of those keys
   * @param keysAfterWindow keys still in etcd after the steady-state window
   * @param keepAlivesGivenUp leases whose keep-alive jetcd gave up (seed-register only)
   */
  record Registrations(
      int count,
      long nanos,
      int keys,
      int leases,
      Map<String, Long> sentWhileRegistering,
      Window steady,
      int keysAfterWindow,
      long keepAlivesGivenUp,
      long keepAliveErrors) {}

  /**
   * The cold-start JVM's figures: seed-resolve's and the resolver's median times over {@code
   * rounds}, and the least, median and greatest of the rounds' ratios (ours / seed).
   */
  record ColdStart(
      long seedNanos,
      long seedSequentialNanos,
      long oursNanos,
      long heapBefore,
      long heapAfter,
      int cached,
      int rounds,
      double ratioMin,
      double ratioMedian,
      double ratioMax) {
    double bytesPerInstance() {
      return (heapAfter - heapBefore) / (double) cached;
    }
  }

  /** The service name of index {@code s}. */
  static String serviceOf(int s) {
    return String.format(Locale.ROOT, "svc-%04d", s);
  }

  static String hostOf(int s, int i) {
    return "10." + ((s >> 8) & 255) + "." + (s & 255) + "." + (i + 1);
  }

  @Override
  public String name() {
    return "scale";
  }

  @Override
  public ScenarioResult run(RunContext context) throws Exception {
    Sizes sizes = context.profile().scale();
    if (sizes.instancesPerService() > 254) {
      throw new IllegalArgumentException(
          "instancesPerService must be at most 254, not " + sizes.instancesPerService());
    }
    WatchStreamCount.Figures streams =
        WatchStreamCount.measure(context.endpoints(), WATCHED_SERVICES);
    Registrations ours;
    ColdStart coldStart;
    RequestCounter oursCounter = new RequestCounter();
    try (Client client = countedClient(context.endpoints(), oursCounter);
        EtcdRegistry registry =
            EtcdRegistry.builder()
                .client(client)
                .options(
                    Option.withEtcdServicePrefix(PREFIX), Option.withLeaseTtl(sizes.leaseTtl()))
                .build()) {
      Map<String, Long> before = oursCounter.snapshot();
      long start = System.nanoTime();
      for (int s = 0; s < sizes.services(); s++) {
        for (int i = 0; i < sizes.instancesPerService(); i++) {
          registry.register(
              Info.builder()
                  .serviceName(serviceOf(s))
                  .address(new InetSocketAddress(hostOf(s, i), 8888))
                  .build());
        }
      }
      long nanos = System.nanoTime() - start;
      Map<String, Long> sentWhileRegistering =
          RequestCounter.difference(before, oursCounter.snapshot());
      int[] keysAndLeases = keysAndLeases(client, PREFIX);
      coldStart = coldStart(context, sizes);
      Window steady = steady(oursCounter, sizes.keepAliveWindow());
      ours =
          new Registrations(
              sizes.instances(),
              nanos,
              keysAndLeases[0],
              keysAndLeases[1],
              sentWhileRegistering,
              steady,
              keysAndLeases(client, PREFIX)[0],
              0,
              0);
    }

    Registrations seed;
    RequestCounter seedCounter = new RequestCounter();
    try (Client client = countedClient(context.endpoints(), seedCounter);
        SeedRegister register =
            new SeedRegister(client, SEED_PREFIX, sizes.leaseTtl(), Duration.ofSeconds(5))) {
      Map<String, Long> before = seedCounter.snapshot();
      long start = System.nanoTime();
      long deadline = start + sizes.seedRegisterBound().toNanos();
      int count = 0;
      for (int s = 0; s < sizes.services() && System.nanoTime() < deadline; s++) {
        for (int i = 0; i < sizes.instancesPerService() && System.nanoTime() < deadline; i++) {
          String address = hostOf(s, i) + ":8888";
          register.register(
              serviceOf(s),
              address,
              InstanceCodec.encode(new Instance("tcp", address, Info.DEFAULT_WEIGHT, null)));
          count++;
        }
      }
      long nanos = System.nanoTime() - start;
      Map<String, Long> sentWhileRegistering =
          RequestCounter.difference(before, seedCounter.snapshot());
      int[] keysAndLeases = keysAndLeases(client, SEED_PREFIX);
      Window steady = steady(seedCounter, sizes.keepAliveWindow());
      seed =
          new Registrations(
              count,
              nanos,
              keysAndLeases[0],
              keysAndLeases[1],
              sentWhileRegistering,
              steady,
              keysAndLeases(client, SEED_PREFIX)[0],
              register.keepAlivesGivenUp(),
              register.keepAliveErrors());
    }
    return result(sizes, ours, seed, coldStart, streams);
  }

  private List<Row> watchStreamRows(WatchStreamCount.Figures figures) {
    String n = Format.count(figures.services());
    WatchStreamCount.Held resolver = figures.resolver();
    WatchStreamCount.Held registry = figures.registry();
    WatchStreamCount.Held jetcd = figures.jetcd();
    String jetcdText =
        "jetcd, a Watcher per service: "
            + Format.count(jetcd.streams())
            + " streams, "
            + Format.count(jetcd.watchers())
            + " watchers";
    List<Row> rows = new ArrayList<>();
    rows.add(
        new Row(
            name(),
            "etcd watch streams and watchers, a resolver subscribed to " + n + " services",
            Format.count(resolver.streams())
                + " stream(s) ("
                + Format.count(resolver.streamsStarted())
                + " started), "
                + Format.count(resolver.watchers())
                + " watchers",
            jetcdText,
            Format.ratio((double) jetcd.streams() / Math.max(1, resolver.streams()))
                + " fewer streams",
            "<= 2 streams, " + n + " watchers",
            Verdict.of(resolver.streams() <= 2 && resolver.watchers() == figures.services()),
            Map.of(
                "oursStreams",
                (double) resolver.streams(),
                "oursWatchers",
                (double) resolver.watchers(),
                "jetcdStreams",
                (double) jetcd.streams(),
                "jetcdWatchers",
                (double) jetcd.watchers())));
    rows.add(
        new Row(
            name(),
            "etcd watch streams added by a registry registering in " + n + " services",
            "+"
                + Format.count(registry.streams())
                + " stream(s), +"
                + Format.count(registry.watchers())
                + " watchers",
            jetcdText,
            Format.ratio((double) jetcd.streams() / Math.max(1, registry.streams()))
                + " fewer streams",
            "<= 2 streams",
            Verdict.of(registry.streams() <= 2 && registry.watchers() == figures.services()),
            Map.of(
                "oursStreams",
                (double) registry.streams(),
                "oursWatchers",
                (double) registry.watchers())));
    rows.add(
        new Row(
            name(),
            "etcd resident memory added while " + n + " services are watched",
            Format.decimal(resolver.residentBytes() / 1048576.0, 1) + " MiB (the resolver)",
            "jetcd, a Watcher per service: "
                + Format.decimal(jetcd.residentBytes() / 1048576.0, 1)
                + " MiB",
            "-",
            "-",
            Verdict.INFO,
            Map.of(
                "oursResidentBytes",
                (double) resolver.residentBytes(),
                "jetcdResidentBytes",
                (double) jetcd.residentBytes())));
    return rows;
  }

  /** {@code Range 2,000, LeaseKeepAlive 16}: messages per minute by method, most first. */
  private static String breakdown(Window window) {
    return window.sent().entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .map(
            e ->
                e.getKey().substring(e.getKey().lastIndexOf('/') + 1)
                    + " "
                    + Format.decimal(window.perMinute(e.getKey()), 0))
        .reduce((a, b) -> a + ", " + b)
        .orElse("none");
  }

  /** A jetcd client set up as the library sets up its own, plus the counter. */
  private static Client countedClient(List<String> endpoints, RequestCounter counter) {
    return Client.builder()
        .endpoints(endpoints.stream().map(URI::create).toArray(URI[]::new))
        .connectTimeout(Duration.ofSeconds(5))
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .interceptor(counter)
        .build();
  }

  /**
   * Counts what the client sends for the window's length: the window is the measurement's
   * definition.
   */
  private static Window steady(RequestCounter counter, Duration length)
      throws InterruptedException {
    Map<String, Long> before = counter.snapshot();
    long start = System.nanoTime();
    TimeUnit.NANOSECONDS.sleep(length.toNanos());
    Duration measured = Duration.ofNanos(System.nanoTime() - start);
    return new Window(measured, RequestCounter.difference(before, counter.snapshot()));
  }

  /** How many keys are under {@code prefix}, and how many distinct leases they are attached to. */
  private static int[] keysAndLeases(Client client, String prefix) throws Exception {
    List<KeyValue> kvs =
        client
            .getKVClient()
            .get(
                ByteSequence.from(prefix + "/", StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).build())
            .get(30, TimeUnit.SECONDS)
            .getKvs();
    Set<Long> leases = new HashSet<>();
    kvs.forEach(kv -> leases.add(kv.getLease()));
    return new int[] {kvs.size(), leases.size()};
  }

  private static ColdStart coldStart(RunContext context, Sizes sizes) {
    try (ChildJvm child =
        ChildJvm.start(
            "scale-cold-start",
            ColdStartJvm.class,
            List.of("-XX:+UseSerialGC", "-Xmx1g"),
            List.of(
                context.endpoints().get(0),
                PREFIX,
                String.valueOf(sizes.services()),
                String.valueOf(sizes.instancesPerService()),
                String.valueOf(COLD_START_ROUNDS)),
            context.logDir())) {
      String[] fields = child.await("RESULT ", Duration.ofMinutes(10)).split(" ");
      return new ColdStart(
          Long.parseLong(fields[1]),
          Long.parseLong(fields[2]),
          Long.parseLong(fields[3]),
          Long.parseLong(fields[4]),
          Long.parseLong(fields[5]),
          Integer.parseInt(fields[6]),
          Integer.parseInt(fields[7]),
          Double.parseDouble(fields[8]),
          Double.parseDouble(fields[9]),
          Double.parseDouble(fields[10]));
    }
  }

  private ScenarioResult result(
      Sizes sizes,
      Registrations ours,
      Registrations seed,
      ColdStart coldStart,
      WatchStreamCount.Figures streams) {
    String n = Format.count(sizes.instances());
    String seedCount = Format.count(seed.count());
    Duration ttl = sizes.leaseTtl();
    List<Row> rows = new ArrayList<>(watchStreamRows(streams));
    rows.add(
        new Row(
            name(),
            "leases held for " + n + " registrations",
            ours.leases() + " (for " + Format.count(ours.keys()) + " keys)",
            "seed-register: "
                + Format.count(seed.leases())
                + " for "
                + Format.count(seed.keys())
                + " keys",
            Format.ratio((double) seed.leases() / ours.leases()) + " fewer",
            "1",
            Verdict.of(ours.leases() == 1 && ours.keys() == sizes.instances()),
            Map.of(
                "oursLeases",
                (double) ours.leases(),
                "oursKeys",
                (double) ours.keys(),
                "seedLeases",
                (double) seed.leases(),
                "seedKeys",
                (double) seed.keys())));

    double oursPerTtl = ours.steady().perTtl(RequestCounter.KEEP_ALIVE, ttl);
    double seedPerTtl = seed.steady().perTtl(RequestCounter.KEEP_ALIVE, ttl);
    Map<String, Double> keepAlives = new LinkedHashMap<>();
    keepAlives.put("ttlSeconds", (double) ttl.getSeconds());
    keepAlives.put("oursPerTtl", oursPerTtl);
    keepAlives.put("oursPerMinute", ours.steady().perMinute(RequestCounter.KEEP_ALIVE));
    keepAlives.put("seedPerTtl", seedPerTtl);
    keepAlives.put("seedPerMinute", seed.steady().perMinute(RequestCounter.KEEP_ALIVE));
    keepAlives.put("seedRegistrations", (double) seed.count());
    keepAlives.put("oursAllRequestsPerMinute", ours.steady().allPerMinute());
    keepAlives.put("seedAllRequestsPerMinute", seed.steady().allPerMinute());
    rows.add(
        new Row(
            name(),
            "keep-alives at steady state, " + n + " registrations, TTL " + ttl.getSeconds() + " s",
            Format.decimal(oursPerTtl, 1)
                + " per TTL ("
                + Format.decimal(keepAlives.get("oursPerMinute"), 1)
                + "/min)",
            "seed-register: "
                + Format.decimal(seedPerTtl, 0)
                + " per TTL ("
                + Format.decimal(keepAlives.get("seedPerMinute"), 0)
                + "/min) for "
                + seedCount,
            Format.ratio(seedPerTtl / oursPerTtl) + " fewer",
            "about 3 per TTL (2 to 4), whatever the count",
            Verdict.of(oursPerTtl >= 2 && oursPerTtl <= 4),
            keepAlives));

    rows.add(
        new Row(
            name(),
            "requests to etcd per minute at steady state, all kinds",
            Format.decimal(ours.steady().allPerMinute(), 0)
                + "/min ("
                + breakdown(ours.steady())
                + ")",
            "seed-register: "
                + Format.decimal(seed.steady().allPerMinute(), 0)
                + "/min ("
                + breakdown(seed.steady())
                + ")",
            Format.ratio(seed.steady().allPerMinute() / ours.steady().allPerMinute()) + " fewer",
            "-",
            Verdict.INFO,
            Map.of(
                "oursPerMinute",
                ours.steady().allPerMinute(),
                "seedPerMinute",
                seed.steady().allPerMinute())));

    rows.add(
        new Row(
            name(),
            "registrations still in etcd after "
                + ours.steady().length().toSeconds()
                + " s of steady state",
            Format.count(ours.keysAfterWindow()) + " of " + Format.count(ours.count()),
            "seed-register: "
                + Format.count(seed.keysAfterWindow())
                + " of "
                + Format.count(seed.count())
                + (seed.keepAlivesGivenUp() > 0
                    ? " (jetcd gave up "
                        + Format.count(seed.keepAlivesGivenUp())
                        + " of its keep-alives)"
                    : ""),
            "-",
            "-",
            Verdict.INFO,
            Map.of(
                "oursKeysAfterWindow",
                (double) ours.keysAfterWindow(),
                "seedKeysAfterWindow",
                (double) seed.keysAfterWindow(),
                "seedKeepAlivesGivenUp",
                (double) seed.keepAlivesGivenUp())));

    double oursEach = ours.nanos() / (double) ours.count();
    double seedEach = seed.nanos() / (double) Math.max(1, seed.count());
    rows.add(
        new Row(
            name(),
            "time to register " + n + " instances",
            Format.seconds(ours.nanos()) + " (" + Format.millis((long) oursEach) + " ms each)",
            "seed-register: "
                + Format.seconds(seed.nanos())
                + " for "
                + seedCount
                + " ("
                + Format.millis((long) seedEach)
                + " ms each"
                + (seed.count() < sizes.instances() ? "; stopped at its time bound" : "")
                + ")",
            seedEach >= oursEach
                ? Format.ratio(seedEach / oursEach) + " faster each"
                : Format.ratio(oursEach / seedEach) + " slower each",
            "-",
            Verdict.INFO,
            Map.of(
                "oursSeconds",
                ours.nanos() / 1e9,
                "seedSeconds",
                seed.nanos() / 1e9,
                "seedRegistrations",
                (double) seed.count())));

    rows.add(
        new Row(
            name(),
            "resolver cold start, " + Format.count(sizes.services()) + " services",
            Format.seconds(coldStart.oursNanos())
                + " (subscribe to all; median of "
                + coldStart.rounds()
                + " rounds)",
            "seed-resolve: "
                + Format.seconds(coldStart.seedNanos())
                + " (all range reads at once; one after the other: "
                + Format.seconds(coldStart.seedSequentialNanos())
                + ")",
            Format.ratio(coldStart.ratioMedian())
                + " seed's time (rounds: "
                + Format.decimal(coldStart.ratioMin(), 2)
                + "-"
                + Format.decimal(coldStart.ratioMax(), 2)
                + ")",
            "-",
            Verdict.INFO,
            Map.of(
                "oursSeconds",
                coldStart.oursNanos() / 1e9,
                "seedSeconds",
                coldStart.seedNanos() / 1e9,
                "seedSequentialSeconds",
                coldStart.seedSequentialNanos() / 1e9,
                "rounds",
                (double) coldStart.rounds(),
                "ratioMin",
                coldStart.ratioMin(),
                "ratioMedian",
                coldStart.ratioMedian(),
                "ratioMax",
                coldStart.ratioMax())));

    double perInstance = coldStart.bytesPerInstance();
    rows.add(
        new Row(
            name(),
            "heap per cached instance, " + Format.count(coldStart.cached()) + " cached",
            Format.decimal(perInstance, 0)
                + " B ("
                + Format.decimal((coldStart.heapAfter() - coldStart.heapBefore()) / 1048576.0, 1)
                + " MiB in all)",
            "-",
            "-",
            "< " + Format.count(HEAP_TARGET_BYTES) + " B",
            Verdict.of(perInstance < HEAP_TARGET_BYTES && coldStart.cached() == sizes.instances()),
            Map.of(
                "bytesPerInstance",
                perInstance,
                "heapBefore",
                (double) coldStart.heapBefore(),
                "heapAfter",
                (double) coldStart.heapAfter(),
                "cached",
                (double) coldStart.cached())));

    List<String> notes =
        List.of(
            "scale: values are the Go extension's JSON without tags (about 70 bytes); keep-alives are the messages "
                + "each jetcd client sent on "
                + RequestCounter.KEEP_ALIVE
                + ", counted by a gRPC ClientInterceptor on "
                + "the client handed to EtcdRegistry.builder().client(...), over "
                + ours.steady().length().toSeconds()
                + " s of steady state after registering.",
            "scale: at steady state our registry sent "
                + ours.steady().sent()
                + " in "
                + ours.steady().length().toSeconds()
                + " s: besides keep-alives it checks its lease and reads each of its services once every "
                + "ObserveDelay (30 s; its observe pass, as the Go extension's retry loop), so a window catches about "
                + "one pass per 30 s of its length (a shorter window, as in the quick profile, catches none or one). "
                + "seed-register sent "
                + seed.steady().sent()
                + ". The Go extension also reads each registration's "
                + "key every 30 s (its documented ObserveDelay): not part of seed-register, not measured.",
            "scale: heap per cached instance = (heap used after subscribing to every service - heap used before) / "
                + "instances cached, each after full collections (-XX:+UseSerialGC, MemoryMXBean.gc() until two "
                + "readings agree), in a JVM that holds only the resolver and its jetcd client: it includes each "
                + "service's watch and cache, shared by its "
                + sizes.instancesPerService()
                + " instances.",
            "scale: cold start = subscribing to every service (subscribe returns at once; the resolver reads the "
                + "services it starts together in read-only transactions of up to 128 ranges, then creates one watch "
                + "per service) until every subscriber had its first call, "
                + "against seed-resolve reading every service once with all reads issued at once (the same "
                + "concurrency; one after the other, as a Go client resolving each service in turn, in brackets); all "
                + "after one untimed warm-up pass of each, "
                + COLD_START_ROUNDS
                + " rounds on the same client alternating which goes first, medians shown, the ratio taken "
                + "within each round.");
    if (seed.keysAfterWindow() < seed.count() || seed.keepAlivesGivenUp() > 0) {
      notes = new ArrayList<>(notes);
      notes.add(
          "scale: seed-register lost registrations in this run: jetcd gave up keeping "
              + Format.count(seed.keepAlivesGivenUp())
              + " of its "
              + Format.count(seed.count())
              + " leases alive (no "
              + "keep-alive answer within the lease's deadline; likely cause: etcd answers one keep-alive stream's "
              + "renewals one after the other, and "
              + Format.count(seed.count())
              + " leases of "
              + ttl.getSeconds()
              + " s need about "
              + Format.count(seed.count() * 3L / ttl.getSeconds())
              + " renewals a second while the "
              + "registering writes compete), so their keys expired; "
              + Format.count(seed.keysAfterWindow())
              + " were left after the window, and its keep-alive figure counts only what it still sent. (The Go "
              + "extension makes one client, hence one stream, per registry and registration.)");
    }
    notes = new ArrayList<>(notes);
    notes.add(
        "scale: watch streams and watchers are etcd's own gauges on /metrics "
            + "(etcd_debugging_mvcc_watch_stream_total, etcd_debugging_mvcc_watcher_total; "
            + "grpc_server_started_total{grpc_method=\"Watch\"} for streams started), read once two "
            + "readings a second apart agree: before and while a resolver (its own jetcd client) "
            + "subscribes to "
            + Format.count(streams.services())
            + " services, then while a registry (its own client) registers one instance in each of "
            + "them, against one jetcd client with one Watcher per service (jetcd's watch API, as the "
            + "library used it before); resident memory is etcd's process_resident_memory_bytes at "
            + "the same readings (Go's heap: a rough figure).");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("watchStreams", streams);
    details.put("sizes", sizes);
    details.put("ours", ours);
    details.put("seedRegister", seed);
    details.put("coldStart", coldStart);
    details.put("bytesPerCachedInstance", perInstance);
    return new ScenarioResult(name(), rows, notes, details);
  }
}
