package dev.registryetcd.benchmarks.churn;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.baseline.EtcdFloor;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Latencies;
import dev.registryetcd.benchmarks.report.LatencyRecorder;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark 5, churn: instances flap (registered, deregistered, registered again...) at a fixed
 * total rate while resolvers, each with its own client, subscribe to all their services. Each
 * registration carries a sequence number as a tag, so every delivered change is matched to the
 * operation that caused it: lag = delivery - start of that operation. A plain etcd watch with
 * previous values gets the same treatment, as the baseline. At the end every resolver's view must
 * equal what etcd holds.
 */
public final class ChurnScenario implements Scenario {
  static final String PREFIX = "bench/churn";
  private static final String SEQ = "seq";
  private static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(30);

  /**
   * @param instances instances that flap
   * @param services services they belong to (instance i to service i % services)
   * @param resolvers resolvers subscribed to every service, each with its own client
   * @param registries registries sharing the flapping, one thread each
   * @param opsPerSecond register plus deregister calls per second, in all
   * @param duration how long they flap
   */
  public record Sizes(
      int instances,
      int services,
      int resolvers,
      int registries,
      int opsPerSecond,
      Duration duration) {}

  @Override
  public String name() {
    return "churn";
  }

  @Override
  public ScenarioResult run(RunContext context) throws Exception {
    Sizes sizes = context.profile().churn();
    Operations operations = new Operations();
    LatencyRecorder oursLag = new LatencyRecorder();
    LatencyRecorder watchLag = new LatencyRecorder();
    LongAdder delivered = new LongAdder();
    List<EtcdRegistry> registries = new ArrayList<>();
    List<EtcdResolver> resolvers = new ArrayList<>();
    List<Subscription> subscriptions = new ArrayList<>();
    ExecutorService flappers = Executors.newFixedThreadPool(sizes.registries());
    long issued;
    long flapNanos;
    int converged;
    try (Client registryClient = EtcdClients.newClient(context.endpoints());
        Client watchClient = EtcdClients.newClient(context.endpoints())) {
      try {
        for (int r = 0; r < sizes.registries(); r++) {
          registries.add(
              EtcdRegistry.builder()
                  .client(registryClient)
                  .options(Option.withEtcdServicePrefix(PREFIX))
                  .build());
        }
        long[] seqOf = new long[sizes.instances()];
        for (int i = 0; i < sizes.instances(); i++) {
          seqOf[i] = operations.next();
          registries.get(i % sizes.registries()).register(info(sizes, i, seqOf[i]));
        }
        for (int r = 0; r < sizes.resolvers(); r++) {
          EtcdResolver resolver =
              EtcdResolver.newEtcdResolver(
                  context.endpoints(), Option.withEtcdServicePrefix(PREFIX));
          resolvers.add(resolver);
          ChangeListener listener =
              change -> {
                long now = System.nanoTime();
                change
                    .added()
                    .forEach(i -> operations.delivered(true, seqOf(i), now, oursLag, delivered));
                change
                    .updated()
                    .forEach(i -> operations.delivered(true, seqOf(i), now, oursLag, delivered));
                change
                    .removed()
                    .forEach(i -> operations.delivered(false, seqOf(i), now, oursLag, delivered));
              };
          for (int s = 0; s < sizes.services(); s++) {
            subscriptions.add(resolver.subscribe(serviceOf(s), listener));
          }
        }
        Watch.Watcher watch =
            EtcdFloor.watch(
                watchClient,
                PREFIX + "/",
                true,
                (put, key, value, now) ->
                    operations.delivered(put, seqOf(value), now, watchLag, new LongAdder()));

        operations.startMeasuring();
        long start = System.nanoTime();
        long deadline = start + sizes.duration().toNanos();
        List<Future<Long>> running = new ArrayList<>();
        for (int r = 0; r < sizes.registries(); r++) {
          int registry = r;
          running.add(
              flappers.submit(
                  () ->
                      flap(
                          sizes, registry, registries.get(registry), seqOf, operations, deadline)));
        }
        issued = 0;
        for (Future<Long> flapper : running) {
          issued += flapper.get(sizes.duration().toSeconds() + 60, TimeUnit.SECONDS);
        }
        flapNanos = System.nanoTime() - start;
        converged = awaitConvergence(sizes, registryClient, resolvers);
        watch.close();
      } finally {
        // before the clients they use
        flappers.shutdownNow();
        subscriptions.forEach(Subscription::close);
        resolvers.forEach(EtcdResolver::close);
        registries.forEach(EtcdRegistry::close);
      }
    }
    return result(
        sizes,
        issued,
        flapNanos,
        delivered.sum(),
        oursLag.snapshot(),
        watchLag.snapshot(),
        converged);
  }

  /**
   * One registry's share of the flapping, paced to its share of the rate; returns the calls it
   * made.
   */
  private static long flap(
      Sizes sizes,
      int registry,
      EtcdRegistry to,
      long[] seqOf,
      Operations operations,
      long deadline) {
    List<Integer> owned = new ArrayList<>();
    for (int i = registry; i < sizes.instances(); i += sizes.registries()) {
      owned.add(i);
    }
    boolean[] registered = new boolean[sizes.instances()];
    owned.forEach(i -> registered[i] = true);
    long interval = 1_000_000_000L * sizes.registries() / sizes.opsPerSecond();
    long next = System.nanoTime();
    long calls = 0;
    for (long now = System.nanoTime(); now < deadline; now = System.nanoTime()) {
      if (now < next) {
        LockSupport.parkNanos(Math.min(next, deadline) - now); // the workload's pace
        continue;
      }
      next =
          Math.max(
              next + interval, now - 10 * interval); // late: go on, without a burst to catch up
      int i = owned.get(ThreadLocalRandom.current().nextInt(owned.size()));
      if (registered[i]) {
        operations.started(false, seqOf[i]);
        to.deregister(info(sizes, i, seqOf[i]));
      } else {
        seqOf[i] = operations.next();
        operations.started(true, seqOf[i]);
        to.register(info(sizes, i, seqOf[i]));
      }
      registered[i] = !registered[i];
      calls++;
    }
    return calls;
  }

  /** Waits until every resolver answers what etcd holds for every service; returns how many do. */
  private static int awaitConvergence(Sizes sizes, Client client, List<EtcdResolver> resolvers)
      throws Exception {
    Map<String, Map<String, String>> truth = new HashMap<>();
    for (int s = 0; s < sizes.services(); s++) {
      Map<String, String> instances = new HashMap<>();
      for (KeyValue kv :
          client
              .getKVClient()
              .get(
                  ByteSequence.from(PREFIX + "/" + serviceOf(s) + "/", StandardCharsets.UTF_8),
                  GetOption.builder().isPrefix(true).build())
              .get(10, TimeUnit.SECONDS)
              .getKvs()) {
        var info = InstanceCodec.decode(kv.getValue().getBytes());
        instances.put(info.address(), info.tags() == null ? null : info.tags().get(SEQ));
      }
      truth.put(serviceOf(s), instances);
    }
    long deadline = System.nanoTime() + CONVERGENCE_BOUND.toNanos();
    while (true) {
      int equal = 0;
      for (EtcdResolver resolver : resolvers) {
        boolean same = true;
        for (int s = 0; s < sizes.services() && same; s++) {
          same = truth.get(serviceOf(s)).equals(view(resolver, serviceOf(s)));
        }
        equal += same ? 1 : 0;
      }
      if (equal == resolvers.size() || System.nanoTime() > deadline) {
        return equal;
      }
      TimeUnit.MILLISECONDS.sleep(20); // polling a condition, bounded by the deadline
    }
  }

  private static Map<String, String> view(EtcdResolver resolver, String service) {
    Map<String, String> view = new HashMap<>();
    try {
      resolver.resolve(service).instances().forEach(i -> view.put(i.address(), i.tag(SEQ)));
    } catch (NoInstanceException e) {
      // an empty service: the empty view
    }
    return view;
  }

  private static String serviceOf(int s) {
    return String.format(Locale.ROOT, "churn-%02d", s);
  }

  private static Info info(Sizes sizes, int instance, long seq) {
    return Info.builder()
        .serviceName(serviceOf(instance % sizes.services()))
        .address(new InetSocketAddress("127.0.0.1", 40000 + instance))
        .tag(SEQ, Long.toString(seq))
        .build();
  }

  private static long seqOf(Instance instance) {
    return Long.parseLong(Objects.requireNonNull(instance.tag(SEQ), "instance without seq tag"));
  }

  private static long seqOf(byte[] value) {
    try {
      var tags = InstanceCodec.decode(value).tags();
      return tags == null || tags.get(SEQ) == null ? -1 : Long.parseLong(tags.get(SEQ));
    } catch (MalformedInstanceException e) {
      return -1;
    }
  }

  /**
   * The start time of every register and deregister call, by the registration's sequence number;
   * turns deliveries into lags.
   */
  private static final class Operations {
    private final AtomicLong seqs = new AtomicLong();
    private final Map<Long, Long> registerStarts = new ConcurrentHashMap<>();
    private final Map<Long, Long> deregisterStarts = new ConcurrentHashMap<>();
    private volatile long measuringSince = Long.MAX_VALUE;

    long next() {
      return seqs.incrementAndGet();
    }

    void startMeasuring() {
      measuringSince = System.nanoTime();
    }

    void started(boolean register, long seq) {
      (register ? registerStarts : deregisterStarts).put(seq, System.nanoTime());
    }

    /** Records the lag of a delivery caused by an operation started since measuring began. */
    void delivered(boolean register, long seq, long now, LatencyRecorder lag, LongAdder count) {
      Long start = (register ? registerStarts : deregisterStarts).get(seq);
      if (start != null && start >= measuringSince) {
        lag.add(now - start);
        count.increment();
      }
    }
  }

  private ScenarioResult result(
      Sizes sizes,
      long issued,
      long flapNanos,
      long delivered,
      Latencies ours,
      Latencies watch,
      int converged) {
    double seconds = flapNanos / 1e9;
    double deliveredPerSecond = delivered / seconds;
    double idealPerSecond = issued * sizes.resolvers() / seconds;
    List<Row> rows = new ArrayList<>();
    rows.add(
        new Row(
            name(),
            "final views equal etcd's",
            converged + "/" + sizes.resolvers() + " resolvers",
            "-",
            "-",
            "all " + sizes.resolvers(),
            Verdict.of(converged == sizes.resolvers()),
            Map.of("equal", (double) converged, "resolvers", (double) sizes.resolvers())));
    rows.add(
        new Row(
            name(),
            "events delivered per second",
            Format.decimal(deliveredPerSecond, 0)
                + "/s to "
                + sizes.resolvers()
                + " resolvers ("
                + Format.decimal(issued / seconds, 0)
                + " ops/s issued)",
            "every op to every resolver: " + Format.decimal(idealPerSecond, 0) + "/s",
            Format.ratio(deliveredPerSecond / idealPerSecond) + " of it",
            "-",
            Verdict.INFO,
            Map.of(
                "deliveredPerSecond",
                deliveredPerSecond,
                "idealPerSecond",
                idealPerSecond,
                "opsPerSecond",
                issued / seconds)));
    Map<String, Double> lag = new LinkedHashMap<>();
    lag.put("oursP50Ms", ours.p50() / 1e6);
    lag.put("oursP99Ms", ours.p99() / 1e6);
    lag.put("oursMaxMs", ours.max() / 1e6);
    lag.put("watchP99Ms", watch.p99() / 1e6);
    lag.put("watchMaxMs", watch.max() / 1e6);
    rows.add(
        new Row(
            name(),
            "lag, call start -> resolver (max)",
            ours.describe(),
            "plain etcd watch " + watch.describe(),
            Format.ratio((double) ours.max() / watch.max()) + " floor (max)",
            "-",
            Verdict.INFO,
            lag));
    List<String> notes =
        List.of(
            "churn: "
                + sizes.instances()
                + " instances in "
                + sizes.services()
                + " services flap for "
                + sizes.duration().toSeconds()
                + " s at "
                + sizes.opsPerSecond()
                + " register/deregister calls per second "
                + "in all, from "
                + sizes.registries()
                + " registries (one thread each, one shared client); "
                + sizes.resolvers()
                + " resolvers (a client each) subscribe to every service. Lag runs from the start "
                + "of the register/deregister call to the listener call; a change that etcd's watch batches with a "
                + "later one may reach a resolver only as that later one (fewer events than calls).",
            "churn: the Go extension's clients re-read every 5 s (documented, not measured): a flap shorter than that "
                + "may never be seen, and the lag is up to 5 s.");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sizes", sizes);
    details.put("callsIssued", issued);
    details.put("seconds", seconds);
    details.put("eventsDelivered", delivered);
    details.put("resolversEqualToEtcd", converged);
    details.put("oursLag", ours.summary());
    details.put("plainWatchLag", watch.summary());
    return new ScenarioResult(name(), rows, notes, details);
  }
}
