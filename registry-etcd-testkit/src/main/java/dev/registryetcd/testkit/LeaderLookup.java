package dev.registryetcd.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds a cluster's leader by asking each member, never through the proxies: {@code POST
 * /v3/maintenance/status} or, on a TLS cluster, {@code etcd_server_is_leader} on {@code /metrics}.
 */
final class LeaderLookup {

  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);

  private LeaderLookup() {}

  /**
   * Waits until exactly one running, unfrozen member claims leadership, and returns it.
   *
   * @throws IllegalStateException if there is no such member within the timeout
   */
  static EtcdMember await(EtcdCluster cluster, Duration timeout) {
    List<EtcdMember> members = cluster.members();
    long deadline = Durations.deadline(timeout);
    while (true) {
      List<EtcdMember> leaders = new ArrayList<>();
      for (EtcdMember m : members) {
        if (m.isRunning() && !m.isFrozen() && claimsLeadership(cluster, m, deadline)) {
          leaders.add(m);
        }
      }
      if (leaders.size() == 1) {
        return leaders.get(0);
      }
      if (Durations.passed(deadline)) {
        String up =
            members.stream()
                .filter(m -> m.isRunning() && !m.isFrozen())
                .map(EtcdMember::name)
                .collect(Collectors.joining(", "));
        throw new IllegalStateException(
            "etcd cluster "
                + cluster.name()
                + " has no single leader within "
                + Durations.format(timeout)
                + " (running members: ["
                + up
                + "], claiming leadership: "
                + leaders.stream().map(EtcdMember::name).collect(Collectors.toList())
                + "); logs: "
                + cluster.logFiles());
      }
      Durations.pause();
    }
  }

  private static boolean claimsLeadership(EtcdCluster cluster, EtcdMember m, long deadline) {
    Duration timeout = Durations.capToDeadline(STATUS_TIMEOUT, deadline);
    if (cluster.config().tls() != null) {
      return EtcdHttp.isLeaderByMetrics(m.metricsUrl(), timeout);
    }
    Optional<EtcdHttp.Status> status = EtcdHttp.status(m.directClientEndpoint(), timeout);
    return status.isPresent() && status.get().isLeader();
  }
}
