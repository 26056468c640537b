package dev.registryetcd.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The settings of an {@link EtcdCluster}, their defaults and their checks: the setters of {@link
 * EtcdCluster.Builder}, which inherits them. The builder itself stays nested in {@code
 * EtcdCluster}, where callers name it.
 */
abstract class ClusterSettings {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private int members = 1;
  private String name = "etcd";
  private String token;
  private Path dataRoot;
  private List<String> extraFlags = List.of();
  private String compactionMode;
  private String compactionRetention;
  private Duration startTimeout = Duration.ofSeconds(30);
  private Duration stopTimeout = Duration.ofSeconds(10);
  private Duration heartbeatInterval = Duration.ofMillis(50);
  private Duration electionTimeout = Duration.ofMillis(500);
  private Path binary;
  private EtcdTls tls;
  private boolean networkFaults;
  private Duration authTokenTtl;

  ClusterSettings() {}

  /** The builder these settings belong to, which every setter returns. */
  abstract EtcdCluster.Builder self();

  /** Copies every setting into {@code b}. */
  void copyTo(ClusterSettings b) {
    b.members = members;
    b.name = name;
    b.token = token;
    b.dataRoot = dataRoot;
    b.extraFlags = extraFlags;
    b.compactionMode = compactionMode;
    b.compactionRetention = compactionRetention;
    b.startTimeout = startTimeout;
    b.stopTimeout = stopTimeout;
    b.heartbeatInterval = heartbeatInterval;
    b.electionTimeout = electionTimeout;
    b.binary = binary;
    b.tls = tls;
    b.networkFaults = networkFaults;
    b.authTokenTtl = authTokenTtl;
  }

  /**
   * The settings of one new cluster, with a fresh token unless one was set.
   *
   * @throws IllegalArgumentException if the election timeout is below 5 heartbeats
   */
  ClusterConfig config() {
    if (electionTimeout.toMillis() < 5 * heartbeatInterval.toMillis()) {
      throw new IllegalArgumentException(
          "etcd requires electionTimeout ("
              + electionTimeout.toMillis()
              + "ms) >= 5 x heartbeatInterval ("
              + heartbeatInterval.toMillis()
              + "ms)");
    }
    List<String> flags = new ArrayList<>();
    if (authTokenTtl != null) {
      flags.add("--auth-token-ttl=" + authTokenTtl.toSeconds());
    }
    flags.addAll(extraFlags);
    if (compactionMode != null) {
      flags.add("--auto-compaction-mode=" + compactionMode);
      flags.add("--auto-compaction-retention=" + compactionRetention);
    }
    return new ClusterConfig(
        members,
        name,
        token != null ? token : name + "-" + UUID.randomUUID().toString().substring(0, 8),
        dataRoot,
        List.copyOf(flags),
        startTimeout,
        stopTimeout,
        heartbeatInterval,
        electionTimeout,
        binary,
        tls,
        networkFaults);
  }

  /** Number of members, 1 (single server, the default) or more. */
  public EtcdCluster.Builder members(int members) {
    if (members < 1) {
      throw new IllegalArgumentException("an etcd cluster needs at least 1 member, got " + members);
    }
    this.members = members;
    return self();
  }

  /** Cluster name (default "etcd"): members are named {@code <name>-0, <name>-1, ...}. */
  public EtcdCluster.Builder name(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("cluster name must match " + NAME + ", got " + name);
    }
    this.name = name;
    return self();
  }

  /**
   * {@code --initial-cluster-token}; default: the name plus a random suffix, fresh for every build.
   */
  public EtcdCluster.Builder token(String token) {
    this.token = Objects.requireNonNull(token, "token");
    return self();
  }

  /**
   * Data root holding member data dirs and logs. It must be new or empty: the cluster owns it and
   * deletes it on close. Default: a fresh temporary directory {@code etcd-testkit-<name>-*}.
   */
  public EtcdCluster.Builder dataRoot(Path dataRoot) {
    this.dataRoot = Objects.requireNonNull(dataRoot, "dataRoot");
    return self();
  }

  /**
   * Extra etcd flags, e.g. {@code List.of("--quota-backend-bytes=1048576")}; appended last, so they
   * win.
   */
  public EtcdCluster.Builder extraFlags(List<String> flags) {
    this.extraFlags = List.copyOf(flags);
    return self();
  }

  /**
   * Passes {@code --auto-compaction-mode} and {@code --auto-compaction-retention}, e.g. {@code
   * autoCompaction("revision", "1000")} or {@code autoCompaction("periodic", "1h")}.
   */
  public EtcdCluster.Builder autoCompaction(String mode, String retention) {
    this.compactionMode = Objects.requireNonNull(mode, "mode");
    this.compactionRetention = Objects.requireNonNull(retention, "retention");
    return self();
  }

  /** Bound for start, member restarts and leader lookups; default 30 s. */
  public EtcdCluster.Builder startTimeout(Duration timeout) {
    this.startTimeout = Durations.requirePositive(timeout, "startTimeout");
    return self();
  }

  /** How long {@link EtcdMember#stop()} waits after SIGTERM before SIGKILL; default 10 s. */
  public EtcdCluster.Builder stopTimeout(Duration timeout) {
    this.stopTimeout = Durations.requirePositive(timeout, "stopTimeout");
    return self();
  }

  /** {@code --heartbeat-interval}; default 50 ms (etcd's own default is 100 ms). */
  public EtcdCluster.Builder heartbeatInterval(Duration interval) {
    this.heartbeatInterval = Durations.requirePositive(interval, "heartbeatInterval");
    return self();
  }

  /**
   * {@code --election-timeout}; default 500 ms (etcd's own default is 1 s); at least 5 heartbeats.
   */
  public EtcdCluster.Builder electionTimeout(Duration timeout) {
    this.electionTimeout = Durations.requirePositive(timeout, "electionTimeout");
    return self();
  }

  /**
   * The etcd executable; default {@link EtcdBinary#locate()}, evaluated at {@link
   * EtcdCluster#start()}.
   */
  public EtcdCluster.Builder binary(Path binary) {
    this.binary = Objects.requireNonNull(binary, "binary");
    return self();
  }

  /**
   * Serves clients over TLS as {@code tls} says: client URLs become {@code https://127.0.0.1:PORT},
   * and each member gets one more port serving {@code /health} and {@code /metrics} in plain HTTP
   * ({@link EtcdMember#metricsUrl()}), used for every health probe. Peers still talk plain HTTP.
   * Default: no TLS. The files are checked at {@link EtcdCluster#start()}.
   */
  public EtcdCluster.Builder tls(EtcdTls tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    return self();
  }

  /**
   * {@code --auth-token-ttl}: how long etcd keeps a simple auth token that is not used (each
   * request carrying it starts the time again); etcd's default is 5 minutes. A short one (a few
   * seconds) lets a test see clients outlive their token once {@link EtcdCluster#enableAuth} is on.
   *
   * @throws IllegalArgumentException unless a whole number of seconds, at least 1 (etcd's flag
   *     takes seconds)
   */
  public EtcdCluster.Builder authTokenTtl(Duration ttl) {
    Durations.requirePositive(ttl, "authTokenTtl");
    if (ttl.getNano() != 0) {
      throw new IllegalArgumentException(
          "authTokenTtl must be a whole number of seconds (etcd's --auth-token-ttl takes seconds),"
              + " got "
              + ttl);
    }
    this.authTokenTtl = ttl;
    return self();
  }

  /**
   * Puts a {@link TcpProxy} on 127.0.0.1 in front of each member's client port and each member's
   * peer port, so that tests can blackhole, delay or reset traffic per member and direction ({@link
   * EtcdMember#clientProxy()}, {@link EtcdMember#peerProxy()}, {@link
   * EtcdMember#isolateFromPeers()}). Clients connect through the client proxies ({@link
   * EtcdCluster#clientEndpoints()} returns their addresses) and each member advertises its peer
   * proxy, so all peer traffic goes through the peer proxies; etcd listens on its own ports behind
   * them. The kit's own probes bypass the proxies. Off by default, so that benchmarks measure etcd
   * without an extra hop. Works with {@link #tls(EtcdTls)}: the proxy forwards bytes, and the
   * address stays 127.0.0.1.
   */
  public EtcdCluster.Builder networkFaults() {
    this.networkFaults = true;
    return self();
  }
}
