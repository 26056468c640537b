package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.DirectEtcd.bytes;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.KeyHistory;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Benchmark 6, gray failures (issue 12): on a three-member cluster of its own, one member is
 * frozen, has its client port blackholed, or is cut off from its peers, follower and leader in
 * turn; then the whole cluster stops and comes back. Ours (registries with a 3 s lease, resolvers)
 * and the baseline (plain jetcd lease + keep-alive per registration, plain jetcd watches, jetcd's
 * defaults) run side by side. Registrations lost and how long they were gone come from etcd's own
 * history, read afterwards through the members' own ports; staleness comes from sampling every
 * observer against a plain watch on a member that is not at fault.
 */
public final class GrayFailureScenario implements Scenario {
  static final String PREFIX = "bench/gray";
  static final String OURS = "ours";
  static final String WATCHED = "watched";
  static final String WATCHED_PREFIX = PREFIX + "/" + WATCHED + "/";
  static final String PLAIN_PREFIX = PREFIX + "/plain";
  static final String PLAIN_SERVICE = "plain";
  private static final String OURS_KEYS = PREFIX + "/" + OURS + "/";
  private static final String PLAIN_KEYS = PLAIN_PREFIX + "/" + PLAIN_SERVICE + "/";
  private static final Duration SAMPLE = Duration.ofMillis(20);
  private static final Duration CHANGE_EVERY = Duration.ofSeconds(2);
  private static final Duration FIRST_CHANGE = Duration.ofMillis(500);
  private static final int WATCHED_KEYS = 4;
  private static final Duration OUTAGE_TARGET = Duration.ofSeconds(2);
  // an observer slower than this to see a change was cut off from etcd by the fault
  private static final Duration SLOW = Duration.ofMillis(500);
  // longer than a lease TTL plus an election: a lease that did not survive the outage is gone
  private static final Duration HOLD = Duration.ofSeconds(8);

  /** One member's fault: how to start and end it, and on whom. */
  public enum Fault {
    FOLLOWER_FROZEN("follower frozen", false, EtcdMember::freeze, EtcdMember::thaw),
    LEADER_FROZEN("leader frozen", true, EtcdMember::freeze, EtcdMember::thaw),
    FOLLOWER_BLACKHOLED(
        "follower's client port blackholed",
        false,
        m -> m.clientProxy().blackhole(),
        m -> m.clientProxy().heal()),
    LEADER_BLACKHOLED(
        "leader's client port blackholed",
        true,
        m -> m.clientProxy().blackhole(),
        m -> m.clientProxy().heal()),
    FOLLOWER_ISOLATED(
        "follower isolated from peers", false, EtcdMember::isolateFromPeers, EtcdMember::healPeers),
    LEADER_ISOLATED(
        "leader isolated from peers", true, EtcdMember::isolateFromPeers, EtcdMember::healPeers);

    private final String label;
    private final boolean leader;
    private final Consumer<EtcdMember> start;
    private final Consumer<EtcdMember> end;

    Fault(String label, boolean leader, Consumer<EtcdMember> start, Consumer<EtcdMember> end) {
      this.label = label;
      this.leader = leader;
      this.start = start;
      this.end = end;
    }

    public String label() {
      return label;
    }
  }

  /**
   * @param faults the one-member faults to run, in order
   * @param faultLength how long each lasts
   * @param registries our registries, and as many plain clients registering
   * @param keysPerRegistry registrations of each
   * @param resolvers our resolvers, and as many plain watches
   * @param settleBound after a fault ends, how long to wait for every observer to agree with etcd
   * @param outage how long the whole cluster is down
   * @param outageBound after etcd serves again, how long to wait for everything to come back
   */
  public record Sizes(
      List<Fault> faults,
      Duration faultLength,
      int registries,
      int keysPerRegistry,
      int resolvers,
      Duration settleBound,
      Duration outage,
      Duration outageBound) {
    public Sizes {
      faults = List.copyOf(faults);
    }
  }

  /** What one fault did to each side; times in nanoseconds, -1 for never. */
  record FaultRun(
      Fault fault,
      int registrations,
      int oursLost,
      int plainLost,
      long oursLongestAbsence,
      long plainLongestAbsence,
      long oursStale,
      long plainStale,
      int oursStaleObservers,
      int plainStaleObservers,
      long oursFailover,
      int oursNeverDelivered,
      int oursSlow,
      long plainFailover,
      int plainNeverDelivered,
      int plainSlow,
      long firstWatchRestart,
      long firstKeepAliveFailure,
      int untimedEvents) {}

  /** What the outage did; times in nanoseconds from etcd serving again, -1 for not in bound. */
  record OutageRun(
      int registrations,
      long serving,
      long oursBack,
      int oursPresent,
      long plainBack,
      int plainPresent,
      long oursResolversEqual,
      long plainWatchesEqual,
      long oursFirstBack,
      long plainFirstBack,
      int oursLostInOutage,
      int plainLostInOutage) {}

  /** Whether a condition holds, and since when without a break; times from etcd serving again. */
  private static final class Held {
    private long since = -1;
    private long first = -1;
    private long last = -1;

    void observe(boolean holds, long at) {
      last = at;
      if (!holds) {
        since = -1;
      } else if (since < 0) {
        since = at;
        first = first < 0 ? at : first;
      }
    }

    boolean held(long hold) {
      return since >= 0 && last - since >= hold;
    }

    long since() {
      return since;
    }

    long first() {
      return first;
    }
  }

  private interface Read<T> {
    T read(Client client) throws Exception;
  }

  /** Reads through the first member that answers: just after a restart some may still elect. */
  private static <T> T readAny(List<Client> members, Read<T> read) throws Exception {
    Exception last = null;
    for (Client client : members) {
      try {
        return read.read(client);
      } catch (Exception e) {
        last = e;
      }
    }
    throw last;
  }

  @Override
  public String name() {
    return "gray-failure";
  }

  @Override
  public ScenarioResult run(RunContext context) throws Exception {
    Sizes sizes = context.profile().grayFailure();
    List<FaultRun> runs = new ArrayList<>();
    OutageRun outage;
    // its own cluster: the faults need three members and the test kit's proxies, which the shared
    // single etcd of the other scenarios has not
    try (EtcdCluster cluster =
            EtcdCluster.builder()
                .members(3)
                .networkFaults()
                .heartbeatInterval(Duration.ofMillis(100))
                .electionTimeout(Duration.ofMillis(1000))
                .start();
        Client direct = Rig.plainClient(directEndpoints(cluster))) {
      for (Fault fault : sizes.faults()) {
        System.err.println("bench: gray-failure: " + fault.label() + "...");
        runs.add(runFault(cluster, direct, fault, sizes));
      }
      System.err.println("bench: gray-failure: whole cluster down " + sizes.outage() + "...");
      List<Client> members = new ArrayList<>();
      try {
        for (String endpoint : directEndpoints(cluster)) {
          members.add(Rig.plainClient(List.of(endpoint)));
        }
        outage = runOutage(cluster, direct, members, sizes);
      } finally {
        members.forEach(Client::close);
      }
    }
    return result(sizes, runs, outage);
  }

  private static List<String> directEndpoints(EtcdCluster cluster) {
    return cluster.members().stream().map(EtcdMember::directClientEndpoint).toList();
  }

  private FaultRun runFault(EtcdCluster cluster, Client direct, Fault fault, Sizes sizes)
      throws Exception {
    cluster.awaitHealthy(Duration.ofSeconds(30));
    EtcdMember leader = cluster.awaitLeader(Duration.ofSeconds(30));
    EtcdMember target = fault.leader ? leader : cluster.followers().get(0);
    EtcdMember reference =
        cluster.members().stream().filter(m -> m != target).findFirst().orElseThrow();
    clear(direct);
    int registrations = sizes.registries() * sizes.keysPerRegistry();
    try (Client referenceClient = Rig.plainClient(List.of(reference.directClientEndpoint()))) {
      Changer changer = new Changer(referenceClient);
      changer.seed();
      // etcd's clock: a plain watch on a member that is not at fault, on its own port
      try (PlainWatch truth =
              new PlainWatch(
                  referenceClient,
                  PREFIX + "/",
                  WATCHED_PREFIX,
                  new View("etcd", false, () -> true));
          Rig rig =
              new Rig(
                  cluster.clientEndpoints(),
                  sizes,
                  RetryConfig.newRetryConfig(RetryConfig.withMaxAttemptTimes(5)))) {
        awaitConverged(direct, rig, truth.view(), registrations, Duration.ofSeconds(20));
        KeyHistory history = KeyHistory.startingNow(cluster, PREFIX + "/");
        List<View> views = rig.views();
        long start;
        long end;
        String firstDeleted;
        try (StaleClock clock = new StaleClock(views, truth.view(), SAMPLE)) {
          start = System.nanoTime();
          fault.start.accept(target);
          try {
            long next = start + FIRST_CHANGE.toNanos();
            long stop = start + sizes.faultLength().toNanos();
            while (next < stop) {
              sleepUntil(next);
              changer.change();
              next += CHANGE_EVERY.toNanos();
            }
            sleepUntil(stop);
          } finally {
            fault.end.accept(target);
          }
          end = System.nanoTime();
          firstDeleted = changer.firstDeleted();
          long settleBy = end + sizes.settleBound().toNanos();
          while (System.nanoTime() < settleBy
              && !(rig.allEqual(truth.view().current(), true)
                  && rig.allEqual(truth.view().current(), false))) {
            TimeUnit.MILLISECONDS.sleep(50);
          }
          clock.close();
          List<KeyHistory.Event> events = history.untilNow();
          long historyRead = System.nanoTime();
          return measure(
              fault,
              registrations,
              events,
              truth,
              views,
              clock,
              rig.events(),
              firstDeleted,
              start,
              historyRead);
        }
      }
    }
  }

  private static FaultRun measure(
      Fault fault,
      int registrations,
      List<KeyHistory.Event> events,
      PlainWatch truth,
      List<View> views,
      StaleClock clock,
      Recorder recorder,
      String firstDeleted,
      long start,
      long historyRead) {
    int[] untimed = new int[1];
    Absences ours = absences(events, OURS_KEYS, truth, historyRead, untimed);
    Absences plain = absences(events, PLAIN_KEYS, truth, historyRead, untimed);
    long oursStale = 0;
    long plainStale = 0;
    int oursStaleObservers = 0;
    int plainStaleObservers = 0;
    long oursFailover = -1;
    long plainFailover = -1;
    int oursNever = 0;
    int plainNever = 0;
    int oursSlow = 0;
    int plainSlow = 0;
    Long etcdDropped = firstDeleted == null ? null : truth.view().removedAt(firstDeleted);
    for (int i = 0; i < views.size(); i++) {
      View view = views.get(i);
      long stale = clock.longest(i);
      // a stale run of one or two samples is a change on its way, not a hidden outage
      boolean counts = stale > 2 * SAMPLE.toNanos();
      Long dropped = firstDeleted == null ? null : view.removedAt(firstDeleted);
      long failover =
          dropped == null || etcdDropped == null ? -1 : Math.max(0, dropped - etcdDropped);
      if (view.ours()) {
        oursStale = Math.max(oursStale, stale);
        oursStaleObservers += counts ? 1 : 0;
        oursNever += failover < 0 ? 1 : 0;
        oursFailover = Math.max(oursFailover, failover);
        oursSlow += failover < 0 || failover > SLOW.toNanos() ? 1 : 0;
      } else {
        plainStale = Math.max(plainStale, stale);
        plainStaleObservers += counts ? 1 : 0;
        plainNever += failover < 0 ? 1 : 0;
        plainFailover = Math.max(plainFailover, failover);
        plainSlow += failover < 0 || failover > SLOW.toNanos() ? 1 : 0;
      }
    }
    return new FaultRun(
        fault,
        registrations,
        ours.lost,
        plain.lost,
        ours.longest,
        plain.longest,
        oursStale,
        plainStale,
        oursStaleObservers,
        plainStaleObservers,
        oursFailover,
        oursNever,
        oursSlow,
        plainFailover,
        plainNever,
        plainSlow,
        recorder.firstWatchRestartAfter(start),
        recorder.firstKeepAliveFailureAfter(start),
        untimed[0]);
  }

  private record Absences(int lost, long longest) {}

  /**
   * Deletes of the registrations under {@code keys} and the longest time one stayed away: from its
   * delete until it was put again (or until the history was read), timed by when the reference
   * watch saw each revision.
   */
  private static Absences absences(
      List<KeyHistory.Event> events,
      String keys,
      PlainWatch truth,
      long historyRead,
      int[] untimed) {
    int lost = 0;
    long longest = 0;
    Map<String, Long> goneSince = new HashMap<>();
    for (KeyHistory.Event event : events) {
      if (!event.key().startsWith(keys)) {
        continue;
      }
      Long seen = truth.seenAt(event.revision());
      if (seen == null) {
        untimed[0]++;
        seen = historyRead;
      }
      if (event.type() == KeyHistory.Type.DELETE) {
        lost++;
        goneSince.putIfAbsent(event.key(), seen);
      } else {
        Long since = goneSince.remove(event.key());
        if (since != null) {
          longest = Math.max(longest, seen - since);
        }
      }
    }
    for (long since : goneSince.values()) {
      longest = Math.max(longest, historyRead - since);
    }
    return new Absences(lost, longest);
  }

  private OutageRun runOutage(EtcdCluster cluster, Client direct, List<Client> members, Sizes sizes)
      throws Exception {
    cluster.awaitHealthy(Duration.ofSeconds(30));
    cluster.awaitLeader(Duration.ofSeconds(30));
    clear(direct);
    int registrations = sizes.registries() * sizes.keysPerRegistry();
    Changer changer = new Changer(direct);
    changer.seed();
    // the judged setting: MaxAttemptTimes 5, RetryDelay at its default (10 s)
    try (Rig rig =
        new Rig(
            cluster.clientEndpoints(),
            sizes,
            RetryConfig.newRetryConfig(RetryConfig.withMaxAttemptTimes(5)))) {
      View etcd = new View("etcd", false, () -> true);
      etcd.replace(watched(direct), System.nanoTime());
      awaitConverged(direct, rig, etcd, registrations, Duration.ofSeconds(20));
      KeyHistory history = KeyHistory.startingNow(cluster, PREFIX + "/");
      long down = System.nanoTime();
      parallel(cluster.members(), EtcdMember::stop);
      sleepUntil(down + sizes.outage().toNanos());
      parallel(cluster.members(), EtcdMember::restart);
      // etcd serves again when a write through a member's own port succeeds
      DirectEtcd.retry(
          () ->
              direct
                  .getKVClient()
                  .put(bytes(PREFIX + "/~serving"), bytes(""))
                  .get(1, TimeUnit.SECONDS),
          Duration.ofSeconds(60));
      long serving = System.nanoTime();
      // a change made after the outage, which every observer has to pick up
      changer.change();
      Held oursBack = new Held();
      Held plainBack = new Held();
      Held oursEqual = new Held();
      Held plainEqual = new Held();
      int oursPresent = 0;
      int plainPresent = 0;
      long bound = serving + sizes.outageBound().toNanos();
      long hold = HOLD.toNanos();
      // a lease etcd kept through the outage only expires a TTL after the restart: a condition
      // counts from the start of a run that then holds, not from its first moment
      while (System.nanoTime() < bound
          && !(oursBack.held(hold)
              && plainBack.held(hold)
              && oursEqual.held(hold)
              && plainEqual.held(hold))) {
        try {
          int[] counts = new int[2];
          Set<String> now =
              readAny(
                  members,
                  client -> {
                    counts[0] = count(client, OURS_KEYS);
                    counts[1] = count(client, PLAIN_KEYS);
                    return watched(client);
                  });
          oursPresent = counts[0];
          plainPresent = counts[1];
          long at = System.nanoTime() - serving;
          oursBack.observe(oursPresent == registrations, at);
          plainBack.observe(plainPresent == registrations, at);
          oursEqual.observe(rig.allEqual(now, true), at);
          plainEqual.observe(rig.allEqual(now, false), at);
        } catch (Exception e) {
          // no member answered yet: read again
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      List<KeyHistory.Event> events = history.untilNow();
      int oursLost =
          (int)
              events.stream()
                  .filter(e -> e.type() == KeyHistory.Type.DELETE && e.key().startsWith(OURS_KEYS))
                  .count();
      int plainLost =
          (int)
              events.stream()
                  .filter(e -> e.type() == KeyHistory.Type.DELETE && e.key().startsWith(PLAIN_KEYS))
                  .count();
      return new OutageRun(
          registrations,
          serving - down - sizes.outage().toNanos(),
          oursBack.since(),
          oursPresent,
          plainBack.since(),
          plainPresent,
          oursEqual.since(),
          plainEqual.since(),
          oursBack.first(),
          plainBack.first(),
          oursLost,
          plainLost);
    }
  }

  /** The third party: deletes the oldest watched key and puts a new one, through its client. */
  private static final class Changer {
    private final Client client;
    private final Deque<String> live = new ArrayDeque<>();
    private int next = 40000;
    private String firstDeleted;

    Changer(Client client) {
      this.client = client;
    }

    void seed() throws Exception {
      for (int i = 0; i < WATCHED_KEYS; i++) {
        put();
      }
    }

    void change() {
      String oldest = live.peekFirst();
      try {
        client.getKVClient().delete(bytes(WATCHED_PREFIX + oldest)).get(5, TimeUnit.SECONDS);
        live.removeFirst();
        if (firstDeleted == null) {
          firstDeleted = oldest;
        }
        put();
      } catch (Exception e) {
        // the member it writes through may be between leaders: the next change comes anyway
      }
    }

    private void put() throws Exception {
      String address = "127.0.0.1:" + next++;
      client
          .getKVClient()
          .put(
              bytes(WATCHED_PREFIX + address),
              bytes(new String(Rig.value(address), StandardCharsets.UTF_8)))
          .get(5, TimeUnit.SECONDS);
      live.addLast(address);
    }

    String firstDeleted() {
      return firstDeleted;
    }
  }

  private static void awaitConverged(
      Client direct, Rig rig, View etcd, int registrations, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      Set<String> now = etcd.current();
      if (rig.allEqual(now, true)
          && rig.allEqual(now, false)
          && now.size() == WATCHED_KEYS
          && count(direct, OURS_KEYS) == registrations
          && count(direct, PLAIN_KEYS) == registrations) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "gray-failure: registrations and observers did not settle within " + bound);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static int count(Client client, String prefix) throws Exception {
    return (int)
        client
            .getKVClient()
            .get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(1, TimeUnit.SECONDS)
            .getCount();
  }

  private static Set<String> watched(Client client) throws Exception {
    Set<String> addresses = new HashSet<>();
    for (KeyValue kv :
        client
            .getKVClient()
            .get(bytes(WATCHED_PREFIX), GetOption.builder().isPrefix(true).build())
            .get(1, TimeUnit.SECONDS)
            .getKvs()) {
      addresses.add(
          kv.getKey().toString(StandardCharsets.UTF_8).substring(WATCHED_PREFIX.length()));
    }
    return addresses;
  }

  private static void clear(Client direct) throws Exception {
    DirectEtcd.retry(
        () ->
            direct
                .getKVClient()
                .delete(bytes(PREFIX + "/"), DeleteOption.builder().isPrefix(true).build())
                .get(5, TimeUnit.SECONDS),
        Duration.ofSeconds(30));
  }

  private static void parallel(List<EtcdMember> members, Consumer<EtcdMember> action)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    for (EtcdMember member : members) {
      Thread thread = new Thread(() -> action.accept(member), "gray-" + member.name());
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private ScenarioResult result(Sizes sizes, List<FaultRun> runs, OutageRun outage) {
    List<Row> rows = new ArrayList<>();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sizes", sizes);
    long length = sizes.faultLength().toNanos();
    String lengthLabel = sizes.faultLength().toSeconds() + " s";
    for (FaultRun run : runs) {
      String what = run.fault().label() + " " + lengthLabel;
      Map<String, Double> lost = new LinkedHashMap<>();
      lost.put("registrations", (double) run.registrations());
      lost.put("oursLost", (double) run.oursLost());
      lost.put("plainLost", (double) run.plainLost());
      lost.put("oursLongestAbsenceMs", run.oursLongestAbsence() / 1e6);
      lost.put("plainLongestAbsenceMs", run.plainLongestAbsence() / 1e6);
      rows.add(
          new Row(
              name(),
              what + ": registrations lost (of " + run.registrations() + " each)",
              run.oursLost()
                  + " (longest absence "
                  + Format.seconds(run.oursLongestAbsence())
                  + ")",
              "plain lease + keep-alive: "
                  + run.plainLost()
                  + " (longest absence "
                  + Format.seconds(run.plainLongestAbsence())
                  + ")",
              run.oursLost() + " vs " + run.plainLost(),
              "0 lost",
              Verdict.of(run.oursLost() == 0),
              lost));
      Map<String, Double> stale = new LinkedHashMap<>();
      stale.put("oursStaleMs", run.oursStale() / 1e6);
      stale.put("plainStaleMs", run.plainStale() / 1e6);
      stale.put("oursStaleObservers", (double) run.oursStaleObservers());
      stale.put("plainStaleObservers", (double) run.plainStaleObservers());
      rows.add(
          new Row(
              name(),
              what + ": longest stale while healthy (" + sizes.resolvers() + " observers each)",
              Format.seconds(run.oursStale())
                  + " ("
                  + run.oursStaleObservers()
                  + " resolvers > "
                  + 2 * SAMPLE.toMillis()
                  + " ms)",
              "plain watch: "
                  + Format.seconds(run.plainStale())
                  + " ("
                  + run.plainStaleObservers()
                  + " watches > "
                  + 2 * SAMPLE.toMillis()
                  + " ms)",
              shorter(run.oursStale(), run.plainStale()),
              "-",
              Verdict.INFO,
              stale));
      Map<String, Double> failover = new LinkedHashMap<>();
      failover.put("oursFailoverMs", run.oursFailover() / 1e6);
      failover.put("oursNeverDelivered", (double) run.oursNeverDelivered());
      failover.put("plainFailoverMs", run.plainFailover() / 1e6);
      failover.put("plainNeverDelivered", (double) run.plainNeverDelivered());
      failover.put("oursSlowObservers", (double) run.oursSlow());
      failover.put("plainSlowObservers", (double) run.plainSlow());
      failover.put("firstWatchRestartMs", run.firstWatchRestart() / 1e6);
      failover.put("firstKeepAliveFailureMs", run.firstKeepAliveFailure() / 1e6);
      failover.put("faultLengthMs", length / 1e6);
      rows.add(
          new Row(
              name(),
              what + ": time to fail over (first change in the fault delivered, slowest observer)",
              delivered(run.oursFailover(), run.oursNeverDelivered(), length)
                  + slow(run.oursSlow(), sizes.resolvers())
                  + "; first watch restart "
                  + (run.firstWatchRestart() < 0
                      ? "none"
                      : Format.seconds(run.firstWatchRestart())),
              "plain watch: "
                  + delivered(run.plainFailover(), run.plainNeverDelivered(), length)
                  + slow(run.plainSlow(), sizes.resolvers()),
              run.oursNeverDelivered() > 0 || run.plainNeverDelivered() > 0
                  ? "-"
                  : shorter(run.oursFailover(), run.plainFailover()),
              "-",
              Verdict.INFO,
              failover));
      details.put(run.fault().name(), run);
    }
    String outageLabel =
        "whole cluster down " + sizes.outage().toSeconds() + " s, MaxAttemptTimes 5";
    Map<String, Double> back = new LinkedHashMap<>();
    back.put("registrations", (double) outage.registrations());
    back.put("servingAfterRestartMs", outage.serving() / 1e6);
    back.put("oursBackMs", outage.oursBack() / 1e6);
    back.put("oursPresent", (double) outage.oursPresent());
    back.put("plainBackMs", outage.plainBack() / 1e6);
    back.put("plainPresent", (double) outage.plainPresent());
    back.put("oursFirstBackMs", outage.oursFirstBack() / 1e6);
    back.put("plainFirstBackMs", outage.plainFirstBack() / 1e6);
    back.put("oursLostInOutage", (double) outage.oursLostInOutage());
    back.put("plainLostInOutage", (double) outage.plainLostInOutage());
    String bound = Format.seconds(sizes.outageBound().toNanos());
    rows.add(
        new Row(
            name(),
            outageLabel + ": every registration back after etcd serves again",
            back(outage.oursBack(), outage.oursPresent(), outage.registrations(), bound)
                + "; "
                + outage.oursLostInOutage()
                + " deleted by etcd",
            "plain lease + keep-alive: "
                + back(outage.plainBack(), outage.plainPresent(), outage.registrations(), bound)
                + "; "
                + outage.plainLostInOutage()
                + " deleted by etcd",
            outage.oursBack() >= 0 && outage.plainBack() > 0
                ? shorter(outage.oursBack(), outage.plainBack())
                : "-",
            "<= " + Format.seconds(OUTAGE_TARGET.toNanos()),
            Verdict.of(outage.oursBack() >= 0 && outage.oursBack() <= OUTAGE_TARGET.toNanos()),
            back));
    Map<String, Double> equal = new LinkedHashMap<>();
    equal.put("oursResolversEqualMs", outage.oursResolversEqual() / 1e6);
    equal.put("plainWatchesEqualMs", outage.plainWatchesEqual() / 1e6);
    rows.add(
        new Row(
            name(),
            outageLabel + ": every resolver equal to etcd after it serves again",
            back(outage.oursResolversEqual(), -1, sizes.resolvers(), bound),
            "plain watches: " + back(outage.plainWatchesEqual(), -1, sizes.resolvers(), bound),
            outage.oursResolversEqual() >= 0 && outage.plainWatchesEqual() > 0
                ? shorter(outage.oursResolversEqual(), outage.plainWatchesEqual())
                : "-",
            "<= " + Format.seconds(OUTAGE_TARGET.toNanos()),
            Verdict.of(
                outage.oursResolversEqual() >= 0
                    && outage.oursResolversEqual() <= OUTAGE_TARGET.toNanos()),
            equal));
    details.put("outage", outage);
    List<String> notes =
        List.of(
            "gray-failure: a 3-member cluster of its own (test kit, networkFaults(), heartbeat 100 ms, "
                + "election 1000 ms); per fault a fresh set: "
                + sizes.registries()
                + " EtcdRegistry x "
                + sizes.keysPerRegistry()
                + " keys (lease TTL 3 s, MaxAttemptTimes 5) and "
                + sizes.resolvers()
                + " EtcdResolver subscribed to one service, beside "
                + sizes.registries()
                + " plain jetcd clients x "
                + sizes.keysPerRegistry()
                + " keys (grant TTL 3 s, put with the lease, jetcd keepAlive, a lease per key as the Go "
                + "extension) and "
                + sizes.resolvers()
                + " plain jetcd watches of the same service keeping their own map; every client "
                + "with its own connection through the kit's client proxies, jetcd's defaults for the plain ones.",
            "gray-failure: keys lost = etcd's DELETE events of live registrations, read after each fault "
                + "with a watch from the start revision through the members' own ports (no proxy), so a "
                + "watch sitting on the faulty member cannot hide one; longest absence = delete to the "
                + "next put of that key (or to the end of the run), timed by a plain watch on a member "
                + "not at fault.",
            "gray-failure: during each fault a third party (a client of a member not at fault) deletes "
                + "one of the service's keys and puts another every "
                + CHANGE_EVERY.toSeconds()
                + " s, the first "
                + FIRST_CHANGE.toMillis()
                + " ms in; every "
                + SAMPLE.toMillis()
                + " ms each observer is compared with etcd; 'stale while healthy' is the longest run "
                + "of samples in which it served something else while it reported healthy (ours: "
                + "EtcdResolver.status().healthy() and the service not in failingServices(); a plain "
                + "watch has no health, so it always counts as healthy), until all agree again or "
                + Format.seconds(sizes.settleBound().toNanos())
                + " after the fault ended. Runs of up to "
                + 2 * SAMPLE.toMillis()
                + " ms are changes on their way and are not counted as stale observers.",
            "gray-failure: time to fail over = from etcd's delete of the first key deleted in the fault "
                + "(seen by the reference watch) until the slowest observer stopped serving it: an observer "
                + "whose watch sat on the faulty member only does once it watches through another member "
                + "(or the fault ends); 'first watch restart' is our resolvers' first "
                + "EtcdEvents.watchRestarted after the fault began.",
            "gray-failure: outage = every member stopped (SIGTERM) for "
                + sizes.outage().toSeconds()
                + " s and restarted on its data; 'etcd serves again' = the first write through a member's "
                + "own port that succeeds, then a third party changes the service once; times run from "
                + "there until every registration is in etcd / every observer equals a fresh read, "
                + "polled every 50 ms through whichever member answers, for at most "
                + bound
                + "; each time is the start of a run that then held "
                + HOLD.toSeconds()
                + " s (or lasted to the end), since keys whose lease did not survive the outage are "
                + "only deleted a TTL after the restart. 'deleted by etcd' counts DELETE events of "
                + "registrations in etcd's history of the outage. RetryConfig: MaxAttemptTimes 5, RetryDelay 10 s, ObserveDelay 30 s (defaults besides the attempts).");
    return new ScenarioResult(name(), rows, notes, details);
  }

  private static String shorter(long ours, long plain) {
    if (ours <= 0 && plain <= 0) {
      return "-";
    }
    if (ours <= 0) {
      return "0 vs " + Format.seconds(plain);
    }
    return plain >= ours
        ? Format.ratio((double) plain / ours) + " shorter"
        : Format.ratio((double) ours / plain) + " longer";
  }

  private static String delivered(long nanos, int never, long faultLength) {
    if (never > 0) {
      return "never within the run (" + never + " observers)";
    }
    return Format.seconds(nanos) + (nanos > faultLength ? " (after the fault ended)" : "");
  }

  private static String slow(int slow, int of) {
    return " (" + slow + " of " + of + " > " + SLOW.toMillis() + " ms)";
  }

  private static String back(long nanos, int present, int of, String bound) {
    if (nanos < 0) {
      return "never within "
          + bound
          + (present >= 0 ? " (" + present + " of " + of + " in etcd)" : "");
    }
    return Format.seconds(nanos) + " (all " + of + ")";
  }
}
