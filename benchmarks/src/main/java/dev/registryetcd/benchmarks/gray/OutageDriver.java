package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.DirectEtcd.bytes;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.HOLD;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.OURS_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.PLAIN_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.PREFIX;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.sleepUntil;

import dev.registryetcd.benchmarks.gray.GrayFailureScenario.Sizes;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.KeyHistory;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Drives the outage: every member stopped for the outage's length and restarted on its data, then
 * times how long each side takes to have every registration back in etcd and every observer equal
 * to etcd, each as the start of a run that then holds.
 */
final class OutageDriver {

  private OutageDriver() {}

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

  static OutageRun run(EtcdCluster cluster, Client direct, List<Client> members, Sizes sizes)
      throws Exception {
    cluster.awaitHealthy(Duration.ofSeconds(30));
    cluster.awaitLeader(Duration.ofSeconds(30));
    DirectEtcd.clear(direct);
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
      etcd.replace(DirectEtcd.watched(direct), System.nanoTime());
      rig.awaitConverged(direct, etcd, registrations, Duration.ofSeconds(20));
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
              DirectEtcd.readAny(
                  members,
                  client -> {
                    counts[0] = DirectEtcd.count(client, OURS_KEYS);
                    counts[1] = DirectEtcd.count(client, PLAIN_KEYS);
                    return DirectEtcd.watched(client);
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
}
