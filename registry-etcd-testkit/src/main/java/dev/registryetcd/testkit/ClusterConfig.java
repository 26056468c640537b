package dev.registryetcd.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What one {@link EtcdCluster} was built with, fixed at {@link EtcdCluster.Builder#build()}.
 *
 * @param dataRoot the requested data root, or null for a fresh temporary directory
 * @param extraFlags the builder's extra flags, auto-compaction flags included
 * @param binary the requested etcd executable, or null to {@link EtcdBinary#locate()} it at start
 * @param tls the clients' TLS setup, or null for plain HTTP
 */
record ClusterConfig(
    int members,
    String name,
    String token,
    Path dataRoot,
    List<String> extraFlags,
    Duration startTimeout,
    Duration stopTimeout,
    Duration heartbeatInterval,
    Duration electionTimeout,
    Path binary,
    EtcdTls tls,
    boolean networkFaults) {}
