package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.CHANGE_EVERY;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.FIRST_CHANGE;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.HOLD;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.OUTAGE_TARGET;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.SAMPLE;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.SLOW;

import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.gray.GrayFailureScenario.Sizes;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gray-failure benchmark's rows, details and notes, from what the faults and the outage did.
 */
final class GrayReport {

  private GrayReport() {}

  static ScenarioResult result(String name, Sizes sizes, List<FaultRun> runs, OutageRun outage) {
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
              name,
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
              name,
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
              name,
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
            name,
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
            name,
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
    return new ScenarioResult(name, rows, notes, details);
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
