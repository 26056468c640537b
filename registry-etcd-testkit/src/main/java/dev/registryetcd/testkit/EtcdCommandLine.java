package dev.registryetcd.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The command line that starts one member's etcd: its name, URLs, cluster and timing flags. */
final class EtcdCommandLine {

  private EtcdCommandLine() {}

  /**
   * @param initialCluster {@code --initial-cluster}
   * @param initialClusterState {@code new}, or {@code existing} for a member that rejoins
   */
  static List<String> of(
      EtcdCluster cluster, EtcdMember member, String initialCluster, String initialClusterState) {
    ClusterConfig config = cluster.config();
    List<String> command =
        new ArrayList<>(
            List.of(
                cluster.binary().toString(),
                "--name=" + member.name(),
                "--data-dir=" + member.dataDir(),
                "--listen-client-urls=" + member.directClientEndpoint(),
                "--advertise-client-urls=" + member.clientEndpoint(),
                "--listen-peer-urls=" + member.listenPeerUrl(),
                "--initial-advertise-peer-urls=" + member.peerUrl(),
                "--initial-cluster=" + initialCluster,
                "--initial-cluster-token=" + config.token(),
                "--initial-cluster-state=" + initialClusterState,
                "--logger=zap",
                "--log-outputs=stderr",
                "--heartbeat-interval=" + config.heartbeatInterval().toMillis(),
                "--election-timeout=" + config.electionTimeout().toMillis()));
    EtcdTls tls = config.tls();
    if (tls != null) {
      command.add("--listen-metrics-urls=" + member.metricsUrl());
      command.addAll(tls.flags());
    }
    command.addAll(config.extraFlags());
    return command;
  }

  /** {@code --initial-cluster} of a new cluster: every member's name and advertised peer URL. */
  static String initialCluster(EtcdCluster cluster) {
    return cluster.members().stream()
        .map(m -> m.name() + "=" + m.peerUrl())
        .collect(Collectors.joining(","));
  }
}
