package dev.registryetcd.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Cluster membership for {@link EtcdMember#wipe()}: removes a member and adds it back through the
 * other members' client API ({@code /v3/cluster/member/remove}, {@code /v3/cluster/member/add}),
 * which needs a quorum among them.
 */
final class Rejoin {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);

  private final EtcdCluster cluster;
  private final EtcdMember me;

  private Rejoin(EtcdCluster cluster, EtcdMember me) {
    this.cluster = cluster;
    this.me = me;
  }

  /**
   * Removes {@code me} from the cluster and adds it back; returns the {@code --initial-cluster} to
   * join with.
   */
  static String rejoin(EtcdCluster cluster, EtcdMember me, long deadline) {
    return new Rejoin(cluster, me).run(deadline);
  }

  /**
   * Refuses {@link EtcdMember#wipe()} of a member of a multi-member TLS cluster: removing and
   * re-adding it needs etcd's client API, which the kit does not call over TLS.
   */
  static void requireSupported(EtcdCluster cluster, EtcdMember me) {
    if (cluster.size() > 1 && cluster.config().tls() != null) {
      throw new UnsupportedOperationException(
          "wipe() of etcd member "
              + me.name()
              + " is not supported on a TLS "
              + "cluster of "
              + cluster.size()
              + " members: removing and re-adding a member needs etcd's "
              + "client API, which the test kit does not call over TLS; use a plaintext cluster, a single "
              + "server, or kill()/restart()");
    }
  }

  private String run(long deadline) {
    String myUrl = me.peerUrl();
    boolean removed = false;
    while (true) {
      Optional<List<EtcdHttp.Member>> list = memberListFromOthers(deadline);
      if (list.isPresent()) {
        Optional<EtcdHttp.Member> found =
            list.get().stream().filter(m -> m.peerUrls().contains(myUrl)).findFirst();
        if (!removed) {
          if (found.isEmpty()) {
            removed = true;
          } else {
            postToOthers(
                "/v3/cluster/member/remove",
                "{\"ID\":" + Json.quote(found.get().id()) + "}",
                deadline);
          }
        }
        if (removed) {
          if (found.isPresent()) {
            return initialClusterFrom(list.get());
          }
          postToOthers(
              "/v3/cluster/member/add", "{\"peerURLs\":[" + Json.quote(myUrl) + "]}", deadline);
        }
      }
      if (Durations.passed(deadline)) {
        String up =
            cluster.members().stream()
                .filter(m -> m != me && m.isRunning() && !m.isFrozen())
                .map(EtcdMember::name)
                .collect(Collectors.joining(", "));
        throw me.failure(
            "could not be "
                + (removed ? "re-added to" : "removed from")
                + " the cluster within "
                + Durations.format(cluster.startTimeout())
                + " for wipe(); this needs a quorum of the other "
                + "members (running: ["
                + up
                + "])");
      }
      Durations.pause();
    }
  }

  private String initialClusterFrom(List<EtcdHttp.Member> list) {
    List<String> entries = new ArrayList<>();
    for (EtcdHttp.Member m : list) {
      for (String url : m.peerUrls()) {
        String memberName = m.name();
        if (memberName.isEmpty()) {
          memberName =
              cluster.members().stream()
                  .filter(x -> x.peerUrl().equals(url))
                  .map(EtcdMember::name)
                  .findFirst()
                  .orElse(me.name());
        }
        entries.add(memberName + "=" + url);
      }
    }
    return String.join(",", entries);
  }

  private Optional<List<EtcdHttp.Member>> memberListFromOthers(long deadline) {
    for (EtcdMember m : cluster.members()) {
      if (m != me && m.isRunning() && !m.isFrozen()) {
        Optional<List<EtcdHttp.Member>> list =
            EtcdHttp.memberList(
                m.directClientEndpoint(), Durations.capToDeadline(ADMIN_TIMEOUT, deadline));
        if (list.isPresent()) {
          return list;
        }
      }
    }
    return Optional.empty();
  }

  private void postToOthers(String path, String body, long deadline) {
    for (EtcdMember m : cluster.members()) {
      if (m != me
          && m.isRunning()
          && !m.isFrozen()
          && EtcdHttp.tryPost(
              m.directClientEndpoint() + path,
              body,
              Durations.capToDeadline(ADMIN_TIMEOUT, deadline))) {
        return;
      }
    }
  }
}
