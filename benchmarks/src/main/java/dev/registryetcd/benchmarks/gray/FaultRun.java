package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.OURS_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.PLAIN_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.SAMPLE;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.SLOW;

import dev.registryetcd.benchmarks.gray.GrayFailureScenario.Fault;
import dev.registryetcd.testkit.KeyHistory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one fault did to each side, measured from etcd's own history and from the observers' views;
 * times in nanoseconds, -1 for never.
 */
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
    int untimedEvents) {

  static FaultRun measure(
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
}
