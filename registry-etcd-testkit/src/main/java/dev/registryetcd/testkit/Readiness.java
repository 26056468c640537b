package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Waits until members are ready: healthy ({@code GET /health} answers {@code {"health":"true"}},
 * which needs a quorum) or, without a quorum, at least listening on their client port. Each wait
 * polls until a deadline and fails at once when a member's process is gone, naming the member and
 * its log.
 */
final class Readiness {

  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);

  private Readiness() {}

  /** True if a majority of members is running and not frozen. */
  static boolean quorumPossible(EtcdCluster cluster) {
    long up = cluster.members().stream().filter(m -> m.isRunning() && !m.isFrozen()).count();
    return up * 2 > cluster.size();
  }

  /**
   * Waits until every one of {@code targets} is healthy.
   *
   * @param retryPorts throw {@link PortConflict} for a member that exited because its port was
   *     taken, so that the caller can pick other ports
   */
  static void awaitMembersHealthy(
      List<EtcdMember> targets, long deadline, String what, boolean retryPorts) {
    Set<EtcdMember> pending = new LinkedHashSet<>(targets);
    while (true) {
      for (Iterator<EtcdMember> it = pending.iterator(); it.hasNext(); ) {
        EtcdMember m = it.next();
        if (retryPorts && !m.isRunning() && m.logSinceLaunch().contains("address already in use")) {
          throw new PortConflict();
        }
        m.requireAlive("while waiting for it to become healthy");
        if (EtcdHttp.isHealthy(
            m.healthEndpoint(), Durations.capToDeadline(EtcdHttp.PROBE_TIMEOUT, deadline))) {
          it.remove();
        }
      }
      if (pending.isEmpty()) {
        return;
      }
      if (Durations.passed(deadline)) {
        Iterator<EtcdMember> it = pending.iterator();
        EtcdMember first = it.next();
        String others =
            it.hasNext()
                ? " (also not healthy: "
                    + pending.stream()
                        .skip(1)
                        .map(EtcdMember::name)
                        .collect(Collectors.joining(", "))
                    + ")"
                : "";
        throw first.failure(what + others);
      }
      Durations.pause();
    }
  }

  /** Waits until {@code member} is healthy; {@code what} says what did not happen in time. */
  static void awaitHealthy(EtcdMember member, long deadline, String what) {
    while (true) {
      member.requireAlive("while waiting for it to become healthy");
      if (EtcdHttp.isHealthy(
          member.healthEndpoint(), Durations.capToDeadline(EtcdHttp.PROBE_TIMEOUT, deadline))) {
        return;
      }
      if (Durations.passed(deadline)) {
        throw member.failure(what + (member.isFrozen() ? " (it is frozen)" : ""));
      }
      Durations.pause();
    }
  }

  /**
   * Waits until etcd's own client port {@code port} of {@code member} accepts connections.
   *
   * @param timeout the bound the deadline was made from, for the message
   */
  static void awaitClientPort(
      EtcdMember member, int port, long deadline, Duration timeout, String when) {
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    while (true) {
      member.requireAlive(when);
      try (Socket socket = new Socket()) {
        socket.connect(
            address, (int) Durations.capToDeadline(CONNECT_TIMEOUT, deadline).toMillis());
        return;
      } catch (IOException notYet) {
        // poll again
      }
      if (Durations.passed(deadline)) {
        throw member.failure(
            "did not open its client port "
                + member.clientHostPort()
                + " within "
                + Durations.format(timeout)
                + " "
                + when);
      }
      Durations.pause();
    }
  }
}
