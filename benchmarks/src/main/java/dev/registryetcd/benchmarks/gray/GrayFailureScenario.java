package dev.registryetcd.benchmarks.gray;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  static final String OURS_KEYS = PREFIX + "/" + OURS + "/";
  static final String PLAIN_KEYS = PLAIN_PREFIX + "/" + PLAIN_SERVICE + "/";
  static final Duration SAMPLE = Duration.ofMillis(20);
  static final Duration CHANGE_EVERY = Duration.ofSeconds(2);
  static final Duration FIRST_CHANGE = Duration.ofMillis(500);
  static final int WATCHED_KEYS = 4;
  static final Duration OUTAGE_TARGET = Duration.ofSeconds(2);
  // an observer slower than this to see a change was cut off from etcd by the fault
  static final Duration SLOW = Duration.ofMillis(500);
  // longer than a lease TTL plus an election: a lease that did not survive the outage is gone
  static final Duration HOLD = Duration.ofSeconds(8);

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
    final boolean leader;
    final Consumer<EtcdMember> start;
    final Consumer<EtcdMember> end;

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
        runs.add(FaultDriver.run(cluster, direct, fault, sizes));
      }
      System.err.println("bench: gray-failure: whole cluster down " + sizes.outage() + "...");
      List<Client> members = new ArrayList<>();
      try {
        for (String endpoint : directEndpoints(cluster)) {
          members.add(Rig.plainClient(List.of(endpoint)));
        }
        outage = OutageDriver.run(cluster, direct, members, sizes);
      } finally {
        members.forEach(Client::close);
      }
    }
    return GrayReport.result(name(), sizes, runs, outage);
  }

  private static List<String> directEndpoints(EtcdCluster cluster) {
    return cluster.members().stream().map(EtcdMember::directClientEndpoint).toList();
  }

  static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
