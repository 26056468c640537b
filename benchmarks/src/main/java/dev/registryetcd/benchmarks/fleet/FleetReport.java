package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Latencies;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The fleet scenario's rows and notes, from its figures. */
final class FleetReport {
  private FleetReport() {}

  static ScenarioResult result(String scenario, FleetScenario.Figures figures) {
    FleetScenario.Sizes sizes = figures.sizes();
    int clients = sizes.clients();
    long watched = (long) clients * sizes.services();
    String fleet =
        Format.count(clients) + " clients x " + Format.count(sizes.services()) + " services";
    FleetScenario.Held ours = figures.ours();
    FleetScenario.Held plain = figures.plain();
    List<Row> rows = new ArrayList<>();

    double oursPerClient = ours.streams() / (double) clients;
    double plainPerClient = plain.streams() / (double) clients;
    rows.add(
        new Row(
            scenario,
            "etcd watch streams per client, " + fleet + ", 3 members",
            Format.decimal(oursPerClient, 2)
                + " per client ("
                + Format.count(ours.streams())
                + " streams, "
                + Format.count(ours.watchers())
                + " watchers; "
                + Format.count(ours.streamsStarted())
                + " started)",
            "jetcd, a Watcher per service: "
                + Format.decimal(plainPerClient, 2)
                + " per client ("
                + Format.count(plain.streams())
                + " streams, "
                + Format.count(plain.watchers())
                + " watchers)",
            Format.ratio(plainPerClient / oursPerClient) + " fewer streams",
            "<= 2 per client, " + Format.count(watched) + " watchers",
            Verdict.of(
                oursPerClient <= FleetScenario.STREAMS_PER_CLIENT_TARGET
                    && ours.watchers() >= watched),
            Map.of(
                "oursStreams", (double) ours.streams(),
                "oursWatchers", (double) ours.watchers(),
                "oursStreamsStarted", (double) ours.streamsStarted(),
                "plainStreams", (double) plain.streams(),
                "plainWatchers", (double) plain.watchers(),
                "oursStreamsPerClient", oursPerClient,
                "plainStreamsPerClient", plainPerClient)));

    Churn.Outcome churn = figures.churn();
    rows.add(
        latencyRow(
            scenario,
            "time for one change to reach all " + Format.count(clients) + " clients",
            churn,
            true));

    double mib = 1024.0 * 1024.0;
    double oursMib = ours.rssBytes() / mib;
    double plainMib = plain.rssBytes() / mib;
    rows.add(
        new Row(
            scenario,
            "etcd resident memory added (VmRSS, 3 members summed), " + fleet,
            Format.decimal(oursMib, 1) + " MiB (" + perMember(ours) + settled(ours) + ")",
            "jetcd, a Watcher per service: "
                + Format.decimal(plainMib, 1)
                + " MiB ("
                + perMember(plain)
                + settled(plain)
                + ")",
            ratioLess(plainMib, oursMib),
            "-",
            Verdict.INFO,
            Map.of(
                "oursBytes", (double) ours.rssBytes(),
                "plainBytes", (double) plain.rssBytes(),
                "oursAnonBytes", (double) ours.anonBytes(),
                "plainAnonBytes", (double) plain.anonBytes(),
                "oursHeapInUseBytes", (double) ours.heapInUseBytes(),
                "plainHeapInUseBytes", (double) plain.heapInUseBytes(),
                "oursBeforeBytes", (double) ours.before().reading().rssBytes(),
                "plainBeforeBytes", (double) plain.before().reading().rssBytes())));

    double oursPerClientKib = ours.rssBytes() / 1024.0 / clients;
    double plainPerClientKib = plain.rssBytes() / 1024.0 / clients;
    rows.add(
        new Row(
            scenario,
            "etcd memory per watching client ("
                + Format.count(sizes.services())
                + " services each)",
            Format.decimal(oursPerClientKib, 1) + " KiB",
            "jetcd, a Watcher per service: " + Format.decimal(plainPerClientKib, 1) + " KiB",
            ratioLess(plainPerClientKib, oursPerClientKib),
            "-",
            Verdict.INFO,
            Map.of("oursKibPerClient", oursPerClientKib, "plainKibPerClient", plainPerClientKib)));

    LiveMemory oursLive = ours.live();
    LiveMemory plainLive = plain.live();
    double oursLiveKib = (oursLive.liveHeapBytes() + oursLive.stackBytes()) / 1024.0 / clients;
    double plainLiveKib = (plainLive.liveHeapBytes() + plainLive.stackBytes()) / 1024.0 / clients;
    rows.add(
        new Row(
            scenario,
            "etcd memory per watching client after a GC (live heap + goroutine stacks, 3 members"
                + " summed)",
            Format.decimal(oursLiveKib, 1) + " KiB (" + liveText(oursLive, clients) + ")",
            "jetcd, a Watcher per service: "
                + Format.decimal(plainLiveKib, 1)
                + " KiB ("
                + liveText(plainLive, clients)
                + ")",
            ratioLess(plainLiveKib, oursLiveKib),
            "-",
            Verdict.INFO,
            Map.of(
                "oursLiveHeapBytes", (double) oursLive.liveHeapBytes(),
                "oursStackBytes", (double) oursLive.stackBytes(),
                "oursConnections", (double) oursLive.connections(),
                "oursGoroutines", (double) oursLive.goroutines(),
                "plainLiveHeapBytes", (double) plainLive.liveHeapBytes(),
                "plainStackBytes", (double) plainLive.stackBytes(),
                "plainConnections", (double) plainLive.connections(),
                "plainGoroutines", (double) plainLive.goroutines())));

    double oursPerThousand = ours.rssBytes() / mib / (watched / 1000.0);
    double plainPerThousand = plain.rssBytes() / mib / (watched / 1000.0);
    rows.add(
        new Row(
            scenario,
            "etcd memory per 1,000 watched services (client x service)",
            Format.decimal(oursPerThousand, 2) + " MiB",
            "jetcd, a Watcher per service: " + Format.decimal(plainPerThousand, 2) + " MiB",
            ratioLess(plainPerThousand, oursPerThousand),
            "-",
            Verdict.INFO,
            Map.of(
                "oursMibPerThousand", oursPerThousand, "plainMibPerThousand", plainPerThousand)));

    FleetScenario.Held connected = figures.connected();
    double connectedKib = connected.rssBytes() / 1024.0 / clients;
    rows.add(
        new Row(
            scenario,
            "etcd memory per jetcd client connected without watching (the floor of both sides)",
            Format.decimal(connectedKib, 1)
                + " KiB ("
                + Format.decimal(connected.rssBytes() / mib, 1)
                + " MiB for "
                + Format.count(clients)
                + "; "
                + perMember(connected)
                + settled(connected)
                + "; after a GC: "
                + Format.decimal(
                    (connected.live().liveHeapBytes() + connected.live().stackBytes())
                        / 1024.0
                        / clients,
                    1)
                + " KiB, "
                + liveText(connected.live(), clients)
                + ")",
            "-",
            "-",
            "-",
            Verdict.INFO,
            Map.of(
                "connectedKibPerClient", connectedKib,
                "connectedBytes", (double) connected.rssBytes(),
                "connectedHeapInUseBytes", (double) connected.heapInUseBytes(),
                "connectedLiveHeapBytes", (double) connected.live().liveHeapBytes(),
                "connectedStackBytes", (double) connected.live().stackBytes(),
                "connectedConnections", (double) connected.live().connections())));

    long startedDuringChurn =
        figures.afterChurn().streamsStarted() - figures.beforeChurn().streamsStarted();
    rows.add(
        new Row(
            scenario,
            "our resolvers during the churn (" + Format.seconds(churn.nanos()) + ")",
            healthText(churn, clients)
                + "; Watch streams started on etcd meanwhile (both sides): "
                + Format.count(startedDuringChurn),
            "-",
            "-",
            "-",
            Verdict.INFO,
            Map.of(
                "allHealthySamples", (double) churn.allHealthySamples(),
                "samples", (double) churn.samples(),
                "fewestHealthy", (double) churn.fewestHealthy(),
                "watchRestarts", (double) churn.watchRestarts(),
                "streamsStartedDuringChurn", (double) startedDuringChurn)));

    if (figures.proxy() != null) {
      rows.addAll(proxyRows(scenario, figures.proxy(), sizes));
    } else {
      rows.add(
          new Row(
              scenario,
              "grpc-proxy, " + Format.count(sizes.proxyClients()) + " clients: the check",
              "did not finish: " + figures.proxyFailure(),
              "-",
              "-",
              "-",
              Verdict.ERROR,
              Map.of()));
    }
    return new ScenarioResult(scenario, rows, notes(figures), FleetScenario.details(figures));
  }

  private static List<Row> proxyRows(
      String scenario, ProxyCheck.Figures proxy, FleetScenario.Sizes sizes) {
    List<Row> rows = new ArrayList<>();
    int clients = proxy.clients();
    String through = "grpc-proxy, " + Format.count(clients) + " clients: ";
    rows.add(
        new Row(
            scenario,
            through + "registrations through the proxy, read from the members",
            proxy.standingInEtcd()
                + " of "
                + proxy.standing()
                + " in etcd; "
                + proxy.standingInEtcdAfter()
                + " of "
                + proxy.standing()
                + " still there after the churn (lease kept alive through the proxy)",
            "-",
            "-",
            "all",
            Verdict.of(
                proxy.standingInEtcd() == proxy.standing()
                    && proxy.standingInEtcdAfter() == proxy.standing()),
            Map.of(
                "standing", (double) proxy.standing(),
                "inEtcd", (double) proxy.standingInEtcd(),
                "inEtcdAfter", (double) proxy.standingInEtcdAfter())));
    rows.add(
        new Row(
            scenario,
            through + "resolution and final views",
            proxy.resolved()
                + " of "
                + clients
                + " resolvers resolved every service; "
                + proxy.equalAtEnd()
                + " of "
                + clients
                + " equal to etcd at the end",
            "-",
            "-",
            "all",
            Verdict.of(proxy.resolved() == clients && proxy.equalAtEnd() == clients),
            Map.of(
                "resolved", (double) proxy.resolved(), "equalAtEnd", (double) proxy.equalAtEnd())));
    rows.add(
        latencyRow(
            scenario,
            through + "time for one change to reach all " + Format.count(clients) + " clients",
            proxy.churn(),
            false));
    long clientWatches = 2L * clients * sizes.services();
    rows.add(
        new Row(
            scenario,
            through + "what the members hold while both sides watch through the proxy",
            Format.count(proxy.members().streams() - proxy.membersIdle().streams())
                + " streams, "
                + Format.count(proxy.members().watchers() - proxy.membersIdle().watchers())
                + " watchers on the members for "
                + Format.count(clientWatches)
                + " client watches (ours and the baseline's); proxy VmRSS "
                + Format.decimal(proxy.proxyRssBytes() / 1048576.0, 1)
                + " MiB",
            "-",
            "-",
            "-",
            Verdict.INFO,
            Map.of(
                "memberStreams",
                (double) (proxy.members().streams() - proxy.membersIdle().streams()),
                "memberWatchers",
                (double) (proxy.members().watchers() - proxy.membersIdle().watchers()),
                "proxyRssBytes",
                (double) proxy.proxyRssBytes())));
    double coalescing = sum(proxy.proxyAfter(), "etcd_grpc_proxy_watchers_coalescing_total");
    rows.add(
        new Row(
            scenario,
            through + "our resolvers during the churn (the proxy answers no progress request)",
            healthText(proxy.churn(), clients)
                + "; the proxy's etcd_grpc_proxy_watchers_coalescing_total after: "
                + Format.decimal(coalescing, 0)
                + (proxy.proxyAlive() ? "; proxy still running" : "; PROXY EXITED"),
            "-",
            "-",
            "-",
            Verdict.INFO,
            Map.of(
                "allHealthySamples", (double) proxy.churn().allHealthySamples(),
                "samples", (double) proxy.churn().samples(),
                "fewestHealthy", (double) proxy.churn().fewestHealthy(),
                "watchRestarts", (double) proxy.churn().watchRestarts(),
                "proxyWatchersCoalescing", coalescing)));
    return rows;
  }

  private static Row latencyRow(
      String scenario, String benchmark, Churn.Outcome churn, boolean judged) {
    Latencies ours = churn.ours();
    Latencies plain = churn.plain();
    double ratio = ours.p99() / (double) Math.max(1, plain.p99());
    Map<String, Double> values = new LinkedHashMap<>();
    values.put("oursP50Ms", ours.p50() / 1e6);
    values.put("oursP99Ms", ours.p99() / 1e6);
    values.put("plainP50Ms", plain.p50() / 1e6);
    values.put("plainP99Ms", plain.p99() / 1e6);
    values.put("ratioP99", ratio);
    values.put("oursMissed", (double) churn.oursMissed());
    values.put("plainMissed", (double) churn.plainMissed());
    return new Row(
        scenario,
        benchmark + " (n=" + churn.changes() + ")",
        ours.describe() + missed(churn.oursMissed()),
        "plain jetcd watch per service per client, same changes: "
            + plain.describe()
            + missed(churn.plainMissed()),
        Format.ratio(ratio) + " plain's (p99)",
        judged ? "p99 <= 1.5x plain's p99, none missed" : "-",
        judged
            ? Verdict.of(
                ratio <= FleetScenario.LATENCY_TARGET_RATIO
                    && churn.oursMissed() == 0
                    && ours.count() > 0)
            : Verdict.INFO,
        values);
  }

  private static String healthText(Churn.Outcome churn, int clients) {
    return "all "
        + clients
        + " healthy in "
        + churn.allHealthySamples()
        + " of "
        + churn.samples()
        + " samples (fewest "
        + churn.fewestHealthy()
        + "); "
        + Format.count(churn.watchRestarts())
        + " watch restarts";
  }

  private static String missed(int missed) {
    return missed == 0 ? "" : "; " + missed + " not seen by every client in time";
  }

  private static String perMember(FleetScenario.Held held) {
    return "anonymous "
        + Format.decimal(held.anonBytes() / 1048576.0, 1)
        + ", Go heap in use "
        + Format.decimal(held.heapInUseBytes() / 1048576.0, 1)
        + "; VmRSS per member "
        + String.join(
            " / ",
            held.rssPerMember().stream().map(b -> Format.decimal(b / 1048576.0, 1)).toList());
  }

  /** Per client: live heap, stacks, connections and goroutines added. */
  private static String liveText(LiveMemory live, int clients) {
    return "live heap "
        + Format.decimal(live.liveHeapBytes() / 1024.0 / clients, 1)
        + " + stacks "
        + Format.decimal(live.stackBytes() / 1024.0 / clients, 1)
        + " KiB; "
        + Format.decimal(live.connections() / (double) clients, 2)
        + " TCP connections and "
        + Format.decimal(live.goroutines() / (double) clients, 1)
        + " goroutines per client";
  }

  private static String settled(FleetScenario.Held held) {
    return held.memorySettled() ? "" : "; not settled within the bound";
  }

  private static String ratioLess(double baseline, double ours) {
    if (ours <= 0) {
      return "-";
    }
    return Format.ratio(baseline / ours) + " less";
  }

  private static double sum(Map<String, Double> metrics, String prefix) {
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  private static List<String> notes(FleetScenario.Figures figures) {
    FleetScenario.Sizes sizes = figures.sizes();
    return List.of(
        "fleet: "
            + sizes.clients()
            + " EtcdResolvers in the benchmark JVM, each with its own jetcd client (endpoints: the 3 "
            + "members), each subscribed to all "
            + sizes.services()
            + " services; the baseline is as many plain jetcd clients, each with one jetcd Watcher per "
            + "service (prefix, require-leader). Stream and watcher counts are etcd's gauges on each "
            + "member's /metrics (etcd_debugging_mvcc_watch_stream_total, "
            + "etcd_debugging_mvcc_watcher_total; grpc_server_started_total{grpc_method=\"Watch\"} "
            + "for streams started), summed over the members.",
        "fleet: memory is each member's VmRSS (/proc/<pid>/status), read every "
            + sizes.settleStep().toMillis()
            + " ms until the counts agree and two sums of VmRSS in a row agree within 1 MiB or 1% "
            + "(at least three readings), before and while one side watches; each side alone on a "
            + "fresh 3-member cluster, so neither reuses heap Go kept from the other. The floor: the "
            + "baseline's clients, each connected by one read, before they watch. The resident "
            + "value includes garbage not yet collected and memory Go kept, as any reading of a "
            + "running etcd does. After each "
            + "settled reading every member is made to collect (/debug/pprof/heap?gc=1, etcd's "
            + "--enable-pprof), then its live heap (go_memstats_heap_alloc_bytes), goroutine stacks "
            + "(go_memstats_stack_inuse_bytes), goroutines and the TCP connections on its client port "
            + "(/proc/net/tcp) are read: what the clients hold, independent of when Go collects. "
            + "Resident memory is about twice the live heap plus the stacks once garbage keeps the "
            + "heap cycling (Go's GOGC=100).",
        "fleet: the churn is one EtcdRegistry (its own client) registering an instance in one of "
            + "the services, then deregistering it, "
            + sizes.changes()
            + " changes with a pause of "
            + sizes.pause().toMillis()
            + " ms; both sides, all in this JVM, follow the same changes at once, each timed from "
            + "just before register/deregister until the last client of that side was called. "
            + "Health is sampled every 100 ms (EtcdResolver.status().healthy()).",
        "fleet: grpc-proxy = `etcd grpc-proxy start` (Debian's etcd 3.4.23, its defaults) on "
            + "127.0.0.1 in front of the 3 members; a registry and "
            + sizes.proxyClients()
            + " resolvers (each its own client) have the proxy as their only endpoint, beside as many "
            + "plain clients with a Watcher per service; registrations and final views are checked "
            + "against a direct read of the members; "
            + sizes.proxyChanges()
            + " changes with a pause of "
            + sizes.proxyPause().toMillis()
            + " ms. "
            + (figures.proxy() == null
                ? "The check did not finish: " + figures.proxyFailure()
                : "Proxy log: " + figures.proxy().proxyLog())
            + (figures.proxy() == null || figures.proxy().mismatches().isEmpty()
                ? ""
                : ". Resolvers not equal to etcd at the end (first few): "
                    + String.join("; ", figures.proxy().mismatches())));
  }
}
