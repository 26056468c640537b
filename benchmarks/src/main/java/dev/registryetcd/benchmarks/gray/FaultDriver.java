package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.CHANGE_EVERY;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.FIRST_CHANGE;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.PREFIX;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.SAMPLE;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.WATCHED_PREFIX;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.sleepUntil;

import dev.registryetcd.benchmarks.gray.GrayFailureScenario.Fault;
import dev.registryetcd.benchmarks.gray.GrayFailureScenario.Sizes;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.KeyHistory;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drives one member's fault: a fresh side-by-side set, the fault on the leader or a follower for
 * its length while a third party changes the watched service, then waits for the observers to
 * settle and reads etcd's history of it all.
 */
final class FaultDriver {

  private FaultDriver() {}

  static FaultRun run(EtcdCluster cluster, Client direct, Fault fault, Sizes sizes)
      throws Exception {
    cluster.awaitHealthy(Duration.ofSeconds(30));
    EtcdMember leader = cluster.awaitLeader(Duration.ofSeconds(30));
    EtcdMember target = fault.leader ? leader : cluster.followers().get(0);
    EtcdMember reference =
        cluster.members().stream().filter(m -> m != target).findFirst().orElseThrow();
    DirectEtcd.clear(direct);
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
        rig.awaitConverged(direct, truth.view(), registrations, Duration.ofSeconds(20));
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
          return FaultRun.measure(
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
}
