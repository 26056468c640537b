package dev.registryetcd.benchmarks.failure;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.baseline.EtcdFloor;
import dev.registryetcd.benchmarks.process.ChildJvm;
import dev.registryetcd.benchmarks.process.SharedClock;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Latencies;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark 3, failure detection: a JVM that registered an instance ({@link RegistrantJvm}) is
 * killed with SIGKILL; we time until every resolver has dropped the instance, for each lease TTL.
 * Target: within TTL + 1 s. Then graceful close (the registry revokes its lease); target: within
 * the propagation target, 1.5× etcd-floor. A plain watch on the same keys sees etcd delete them:
 * that is the baseline, measured on the very same events.
 */
public final class FailureScenario implements Scenario {
  static final String PREFIX = "bench/failure";
  static final String SERVICE = "victim";
  private static final Duration GRACE = Duration.ofSeconds(1);
  private static final double GRACEFUL_TARGET = 1.5;
  private static final int FIRST_PORT = 30000;

  /**
   * @param ttls the lease TTLs to kill at
   * @param killsPerTtl processes killed per TTL (one JVM each)
   * @param gracefulCloses graceful closes (one JVM for all)
   * @param resolvers resolvers watching, each with its own client
   */
  public record Sizes(List<Duration> ttls, int killsPerTtl, int gracefulCloses, int resolvers) {}

  @Override
  public String name() {
    return "failure";
  }

  @Override
  public ScenarioResult run(RunContext context) throws Exception {
    Sizes sizes = context.profile().failure();
    int watchers = sizes.resolvers();
    // observers 0..n-1 are the resolvers, n..2n-1 the plain watches
    Sightings sightings = new Sightings(sizes.resolvers() + watchers);
    List<EtcdResolver> resolvers = new ArrayList<>();
    List<Subscription> subscriptions = new ArrayList<>();
    List<Client> watchClients = new ArrayList<>();
    List<Watch.Watcher> watches = new ArrayList<>();
    Map<Duration, long[][]> kills = new LinkedHashMap<>();
    long[][] graceful = new long[2][sizes.gracefulCloses()];
    SharedClock clock;
    String servicePrefix = PREFIX + "/" + SERVICE + "/";
    try {
      for (int r = 0; r < sizes.resolvers(); r++) {
        int observer = r;
        EtcdResolver resolver =
            EtcdResolver.newEtcdResolver(context.endpoints(), Option.withEtcdServicePrefix(PREFIX));
        resolvers.add(resolver);
        subscriptions.add(
            resolver.subscribe(
                SERVICE,
                change -> {
                  long now = System.nanoTime();
                  change.added().forEach(i -> sightings.added(observer, i.address(), now));
                  change.updated().forEach(i -> sightings.added(observer, i.address(), now));
                  for (Instance instance : change.removed()) {
                    sightings.removed(observer, instance.address(), now);
                  }
                }));
      }
      for (int w = 0; w < watchers; w++) {
        int observer = sizes.resolvers() + w;
        Client client = EtcdClients.newClient(context.endpoints());
        watchClients.add(client);
        watches.add(
            EtcdFloor.watch(
                client,
                servicePrefix,
                false,
                (put, key, value, now) -> {
                  String address = key.substring(servicePrefix.length());
                  if (put) {
                    sightings.added(observer, address, now);
                  } else {
                    sightings.removed(observer, address, now);
                  }
                }));
      }
      int port = FIRST_PORT;
      for (Duration ttl : sizes.ttls()) {
        long[][] samples = new long[2][sizes.killsPerTtl()];
        for (int s = 0; s < sizes.killsPerTtl(); s++) {
          String address = "127.0.0.1:" + ++port;
          try (ChildJvm child =
              ChildJvm.start(
                  "failure-killed-" + port,
                  RegistrantJvm.class,
                  List.of("-Xmx128m"),
                  List.of(context.endpoints().get(0), PREFIX, SERVICE),
                  context.logDir())) {
            child.send("REGISTER " + ttl.getSeconds() + " " + port);
            child.await("REGISTERED " + port, Duration.ofSeconds(60));
            sightings.awaitAdded(address, Duration.ofSeconds(10));
            // The workload: a crash comes at any point of the keep-alive cycle (jetcd renews every
            // TTL/3, on a 500 ms timer).
            TimeUnit.MILLISECONDS.sleep(
                ThreadLocalRandom.current().nextLong(ttl.toMillis() / 3 + 500));
            long start = System.nanoTime();
            child.kill();
            long[] seen = sightings.awaitRemoved(address, ttl.plusSeconds(15));
            samples[0][s] = latest(seen, 0, sizes.resolvers()) - start;
            samples[1][s] = latest(seen, sizes.resolvers(), seen.length) - start;
          }
        }
        kills.put(ttl, samples);
      }
      try (ChildJvm child =
          ChildJvm.start(
              "failure-graceful",
              RegistrantJvm.class,
              List.of("-Xmx128m"),
              List.of(context.endpoints().get(0), PREFIX, SERVICE),
              context.logDir())) {
        clock = SharedClock.check(child, 20).requireShared();
        for (int s = 0; s < sizes.gracefulCloses(); s++) {
          String address = "127.0.0.1:" + ++port;
          child.send("REGISTER 60 " + port);
          child.await("REGISTERED " + port, Duration.ofSeconds(30));
          sightings.awaitAdded(address, Duration.ofSeconds(10));
          child.send("CLOSE");
          long start = child.awaitNumber("CLOSED ", Duration.ofSeconds(30));
          long[] seen = sightings.awaitRemoved(address, Duration.ofSeconds(10));
          graceful[0][s] = latest(seen, 0, sizes.resolvers()) - start;
          graceful[1][s] = latest(seen, sizes.resolvers(), seen.length) - start;
        }
      }
    } finally {
      watches.forEach(Watch.Watcher::close);
      watchClients.forEach(Client::close);
      subscriptions.forEach(Subscription::close);
      resolvers.forEach(EtcdResolver::close);
    }
    return result(sizes, kills, Latencies.of(graceful[0]), Latencies.of(graceful[1]), clock);
  }

  /**
   * The last of observers {@code from} (inclusive) to {@code to} (exclusive): when all of them had
   * seen it.
   */
  private static long latest(long[] seen, int from, int to) {
    long latest = Long.MIN_VALUE;
    for (int i = from; i < to; i++) {
      latest = Math.max(latest, seen[i]);
    }
    return latest;
  }

  private static int watchers(Sizes sizes) {
    return sizes.resolvers();
  }

  private ScenarioResult result(
      Sizes sizes,
      Map<Duration, long[][]> kills,
      Latencies graceful,
      Latencies gracefulWatch,
      SharedClock clock) {
    List<Row> rows = new ArrayList<>();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sizes", sizes);
    String all = "all " + sizes.resolvers() + " resolvers";
    for (Map.Entry<Duration, long[][]> entry : kills.entrySet()) {
      Duration ttl = entry.getKey();
      Latencies ours = Latencies.of(entry.getValue()[0]);
      Latencies watch = Latencies.of(entry.getValue()[1]);
      long target = ttl.plus(GRACE).toNanos();
      Map<String, Double> values = new LinkedHashMap<>();
      values.put("ttlSeconds", (double) ttl.getSeconds());
      values.put("oursMaxMs", ours.max() / 1e6);
      values.put("oursP50Ms", ours.p50() / 1e6);
      values.put("plainWatchMaxMs", watch.max() / 1e6);
      values.put("targetMs", target / 1e6);
      rows.add(
          new Row(
              name(),
              "SIGKILL, lease TTL "
                  + ttl.getSeconds()
                  + " s -> "
                  + all
                  + " dropped it (n="
                  + ours.count()
                  + ")",
              "max " + Format.seconds(ours.max()) + " (p50 " + Format.seconds(ours.p50()) + ")",
              "all "
                  + watchers(sizes)
                  + " plain watches saw etcd expire it: max "
                  + Format.seconds(watch.max()),
              Format.ratio((double) ours.max() / watch.max()) + " floor (max)",
              "max <= " + Format.seconds(target) + " (TTL + 1 s)",
              Verdict.of(ours.max() <= target),
              values));
      details.put(
          "killTtl" + ttl.getSeconds() + "s",
          Map.of("ours", ours.summaryWithSamples(), "plainWatch", watch.summaryWithSamples()));
    }
    double ratio = (double) graceful.p99() / gracefulWatch.p99();
    rows.add(
        new Row(
            name(),
            "graceful close -> " + all + " dropped it (n=" + graceful.count() + ")",
            graceful.describe(),
            "all " + watchers(sizes) + " plain watches, same deletes: " + gracefulWatch.describe(),
            Format.ratio(ratio) + " floor (p99)",
            "p99 <= " + GRACEFUL_TARGET + "x etcd-floor p99 (the propagation target)",
            Verdict.of(ratio <= GRACEFUL_TARGET),
            Map.of(
                "oursP99Ms",
                graceful.p99() / 1e6,
                "plainWatchP99Ms",
                gracefulWatch.p99() / 1e6,
                "ratioP99",
                ratio)));
    details.put(
        "graceful",
        Map.of(
            "ours",
            graceful.summaryWithSamples(),
            "plainWatch",
            gracefulWatch.summaryWithSamples()));
    details.put("clock", clock.asMap());
    List<String> notes =
        List.of(
            "failure: one JVM per kill registers one instance (its own EtcdRegistry, lease TTL as shown), then is "
                + "killed (Process.destroyForcibly: SIGKILL) at a random point of its keep-alive cycle; timed from just "
                + "before the kill until the last of "
                + sizes.resolvers()
                + " resolvers (each its own client, in the "
                + "benchmark JVM) has dropped it. The baseline: as many plain etcd watches (a client each), until the "
                + "last of them has seen etcd delete the same key.",
            "failure: graceful close = EtcdRegistry.close() in the registered JVM (revokes the lease), timed from "
                + "just before close() (that JVM's System.nanoTime, shared clock checked: "
                + clock.bracketed()
                + "/"
                + clock.rounds()
                + ").",
            "failure: the Go extension depends on the same lease expiry, then on its clients' 5 s refresh: up to "
                + "TTL + 5 s (documented, not measured). Its default TTL is 60 s, as ours.");
    return new ScenarioResult(name(), rows, notes, details);
  }
}
