package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 16's fleet: {@code clients} resolvers, each its own jetcd client and {@link
 * dev.registryetcd.etcd.EtcdResolver}, all in this JVM, each subscribed to every one of {@code
 * services} services on a 3-member cluster of the test kit, while a registry churns (registers and
 * deregisters instances in those services). Against a plain jetcd client per client with one jetcd
 * {@code Watcher} per service. Measured from etcd's side: watch streams and watchers per client,
 * and each member's resident memory once it settles, each side alone on a fresh cluster (so neither
 * reuses memory Go's heap kept from the other); then both sides at once on the first cluster,
 * following the same changes: the time for one change to reach all clients. Last, ours through a
 * real {@code etcd grpc-proxy} ({@link ProxyCheck}).
 */
public final class FleetScenario implements Scenario {
  static final String PREFIX = "bench/fleet";

  /** Issue 16's target: etcd holds at most this many watch streams per client. */
  static final double STREAMS_PER_CLIENT_TARGET = 2;

  /** The propagation scenario's target, for the same comparison with many clients. */
  static final double LATENCY_TARGET_RATIO = 1.5;

  /**
   * @param clients resolver clients (and as many baseline clients)
   * @param services services each client follows
   * @param changes timed changes (alternately a registration and its deregistration)
   * @param pause between two changes
   * @param proxyClients resolver clients (and as many baseline clients) through the grpc-proxy
   * @param proxyChanges timed changes through the proxy
   * @param proxyPause between two changes through the proxy (long enough for the resolvers'
   *     liveness checks, every 1 s, to ask for progress)
   * @param settleStep between two readings of etcd's figures
   * @param settleBound how long etcd's resident memory may take to settle (the watch counts may
   *     take up to 60 s)
   * @param changeBound how long one change may take to reach every client
   */
  public record Sizes(
      int clients,
      int services,
      int changes,
      Duration pause,
      int proxyClients,
      int proxyChanges,
      Duration proxyPause,
      Duration settleStep,
      Duration settleBound,
      Duration changeBound) {}

  /** etcd's figures before and while one side's clients watch. */
  record Held(EtcdSide.Settled before, EtcdSide.Settled during) {
    long streams() {
      return during.reading().streams() - before.reading().streams();
    }

    long watchers() {
      return during.reading().watchers() - before.reading().watchers();
    }

    long streamsStarted() {
      return during.reading().streamsStarted() - before.reading().streamsStarted();
    }

    long rssBytes() {
      return during.reading().rssBytes() - before.reading().rssBytes();
    }

    long anonBytes() {
      return during.reading().anonBytes() - before.reading().anonBytes();
    }

    long heapInUseBytes() {
      return during.reading().heapInUseBytes() - before.reading().heapInUseBytes();
    }

    /** Live heap, stacks, goroutines and connections added, each member after a collection. */
    LiveMemory live() {
      return during.live().minus(before.live());
    }

    List<Long> rssPerMember() {
      List<Long> added = new ArrayList<>();
      for (int m = 0; m < during.reading().members().size(); m++) {
        added.add(
            during.reading().members().get(m).rssBytes()
                - before.reading().members().get(m).rssBytes());
      }
      return added;
    }

    boolean memorySettled() {
      return before.memorySettled() && during.memorySettled();
    }
  }

  /**
   * Everything measured, for the rows and the JSON file; {@code proxy} is null when the grpc-proxy
   * check did not finish, and {@code proxyFailure} then says why.
   */
  record Figures(
      Sizes sizes,
      Held connected,
      Held ours,
      Held plain,
      Churn.Outcome churn,
      EtcdSide.Reading beforeChurn,
      EtcdSide.Reading afterChurn,
      ProxyCheck.Figures proxy,
      String proxyFailure) {}

  /** The service name of index {@code s}. */
  static String serviceOf(int s) {
    return String.format(Locale.ROOT, "svc-%03d", s);
  }

  @Override
  public String name() {
    return "fleet";
  }

  @Override
  public ScenarioResult run(RunContext context) throws Exception {
    Sizes sizes = context.profile().fleet();
    List<String> services = new ArrayList<>();
    for (int s = 0; s < sizes.services(); s++) {
      services.add(serviceOf(s));
    }
    int clients = sizes.clients();
    int watched = clients * sizes.services();
    Held ours;
    Churn.Outcome churn;
    EtcdSide.Reading beforeChurn;
    EtcdSide.Reading afterChurn;
    long begin = System.nanoTime();
    System.err.println("bench: fleet: ours, then both following the churn...");
    try (EtcdCluster cluster = cluster();
        EtcdRegistry registry = registry(cluster.clientEndpoints(), services)) {
      EtcdSide side = new EtcdSide(cluster, sizes.settleStep(), sizes.settleBound());
      List<String> endpoints = cluster.clientEndpoints();
      EtcdSide.Settled idle = side.settled(r -> true);
      Arrivals oursArrivals = new Arrivals(clients);
      Arrivals plainArrivals = new Arrivals(clients);
      try (OurFleet fleet = new OurFleet(endpoints, PREFIX, clients, services, oursArrivals)) {
        fleet.awaitSubscribed(Duration.ofMinutes(2));
        EtcdSide.Settled withOurs =
            side.settled(r -> r.watchers() - idle.reading().watchers() >= watched);
        ours = new Held(idle, withOurs);
        try (PlainFleet plain =
            new PlainFleet(endpoints, PREFIX, clients, services, plainArrivals)) {
          plain.awaitCreated(Duration.ofMinutes(2));
          beforeChurn = side.read();
          churn =
              Churn.run(
                  registry,
                  services,
                  sizes.changes(),
                  sizes.pause(),
                  sizes.changeBound(),
                  fleet,
                  oursArrivals,
                  plainArrivals);
          afterChurn = side.read();
        }
      }
    }

    Held connected;
    Held plain;
    ProxyCheck.Figures proxy;
    String proxyFailure = null;
    System.err.println(
        "bench: fleet: the baseline alone, then through grpc-proxy... ("
            + Format.seconds(System.nanoTime() - begin)
            + ")");
    try (EtcdCluster cluster = cluster()) {
      EtcdSide side = new EtcdSide(cluster, sizes.settleStep(), sizes.settleBound());
      try (EtcdRegistry registry = registry(cluster.clientEndpoints(), services)) {
        EtcdSide.Settled idle = side.settled(r -> true);
        try (PlainFleet fleet = new PlainFleet(cluster.clientEndpoints(), PREFIX, clients)) {
          EtcdSide.Settled withConnected = side.settled(r -> true);
          connected = new Held(idle, withConnected);
          fleet.watch(services, new Arrivals(clients));
          fleet.awaitCreated(Duration.ofMinutes(2));
          EtcdSide.Settled withPlain =
              side.settled(r -> r.watchers() - idle.reading().watchers() >= watched);
          plain = new Held(idle, withPlain);
        }
      }
      System.err.println(
          "bench: fleet: grpc-proxy... (" + Format.seconds(System.nanoTime() - begin) + ")");
      try {
        proxy = ProxyCheck.run(cluster, side, sizes, services, context.logDir());
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        // The proxy check is the last part: a failure there must not discard what the members
        // held (measured above); it becomes its own ERROR row.
        System.err.println("bench: fleet: the grpc-proxy check did not finish: " + e);
        e.printStackTrace();
        proxy = null;
        proxyFailure = String.valueOf(e.getMessage());
      }
    }
    return FleetReport.result(
        name(),
        new Figures(
            sizes, connected, ours, plain, churn, beforeChurn, afterChurn, proxy, proxyFailure));
  }

  /**
   * A 3-member cluster whose members serve Go's profiles, so that {@link EtcdSide} can make them
   * collect their garbage before it reads what is live ({@link LiveMemory}).
   */
  private static EtcdCluster cluster() {
    return EtcdCluster.builder().members(3).extraFlags(List.of("--enable-pprof")).start();
  }

  /** The churning registry, with one standing instance in every service (none is empty). */
  private static EtcdRegistry registry(List<String> endpoints, List<String> services) {
    EtcdRegistry registry =
        EtcdRegistry.builder()
            .endpoints(endpoints)
            .options(Option.withEtcdServicePrefix(PREFIX))
            .build();
    try {
      for (int s = 0; s < services.size(); s++) {
        registry.register(
            Info.builder()
                .serviceName(services.get(s))
                .address(new InetSocketAddress("10.76." + ((s >> 8) & 255) + "." + (s & 255), 9000))
                .build());
      }
      return registry;
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  static Map<String, Object> details(Figures figures) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sizes", figures.sizes());
    details.put("connected", figures.connected());
    details.put("ours", figures.ours());
    details.put("plain", figures.plain());
    details.put("churn", churnDetails(figures.churn()));
    details.put("membersBeforeChurn", figures.beforeChurn());
    details.put("membersAfterChurn", figures.afterChurn());
    ProxyCheck.Figures figuresOfProxy = figures.proxy();
    if (figuresOfProxy == null) {
      details.put("grpcProxy", Map.of("failure", figures.proxyFailure()));
      return details;
    }
    Map<String, Object> proxy = new LinkedHashMap<>();
    proxy.put("clients", figuresOfProxy.clients());
    proxy.put("standing", figuresOfProxy.standing());
    proxy.put("standingInEtcd", figuresOfProxy.standingInEtcd());
    proxy.put("standingInEtcdAfter", figuresOfProxy.standingInEtcdAfter());
    proxy.put("resolved", figuresOfProxy.resolved());
    proxy.put("equalAtEnd", figuresOfProxy.equalAtEnd());
    proxy.put("mismatches", figuresOfProxy.mismatches());
    proxy.put("membersIdle", figuresOfProxy.membersIdle());
    proxy.put("members", figuresOfProxy.members());
    proxy.put("proxyMetricsBefore", figuresOfProxy.proxyBefore());
    proxy.put("proxyMetricsAfter", figuresOfProxy.proxyAfter());
    proxy.put("proxyRssBytes", figuresOfProxy.proxyRssBytes());
    proxy.put("proxyAlive", figuresOfProxy.proxyAlive());
    proxy.put("proxyLog", figuresOfProxy.proxyLog());
    proxy.put("churn", churnDetails(figuresOfProxy.churn()));
    details.put("grpcProxy", proxy);
    return details;
  }

  private static Map<String, Object> churnDetails(Churn.Outcome churn) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("changes", churn.changes());
    details.put("ours", churn.ours().summaryWithSamples());
    details.put("plain", churn.plain().summaryWithSamples());
    details.put("oursMissed", churn.oursMissed());
    details.put("plainMissed", churn.plainMissed());
    details.put("healthSamples", churn.samples());
    details.put("allHealthySamples", churn.allHealthySamples());
    details.put("fewestHealthy", churn.fewestHealthy());
    details.put("watchRestarts", churn.watchRestarts());
    details.put("seconds", churn.nanos() / 1e9);
    return details;
  }
}
