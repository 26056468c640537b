package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A real etcd server (one member) or cluster (several members), each member an {@code etcd} process
 * listening on free {@code 127.0.0.1} ports, with its data and log under one data root.
 *
 * <pre>{@code
 * try (EtcdCluster etcd = EtcdCluster.cluster(3).start()) {
 *     List<String> endpoints = etcd.clientEndpoints(); // http://127.0.0.1:PORT, ...
 *     etcd.leader().kill();
 *     etcd.leader();                                   // waits for the new leader
 * }
 * }</pre>
 *
 * <p>{@link #close()} kills every member and deletes the data root; a JVM shutdown hook does the
 * same for clusters that were never closed. Instances are thread-safe, but a cluster is meant to be
 * driven by one test at a time.
 *
 * <p>With {@link Builder#tls(EtcdTls)} clients talk TLS ({@code https://127.0.0.1:PORT}) and each
 * member also serves {@code /health} and {@code /metrics} in plain HTTP on {@link
 * EtcdMember#metricsUrl()}, which the kit uses for every health probe. {@link #leader()} then reads
 * {@code etcd_server_is_leader} from {@code /metrics}; the operations that need etcd's client API
 * ({@link EtcdMember#wipe()} of a member of a multi-member cluster) throw {@link
 * UnsupportedOperationException}.
 */
public final class EtcdCluster implements AutoCloseable {

  private static final int PORT_ATTEMPTS = 3;

  private final ClusterConfig config;
  private final List<EtcdMember> members;

  private volatile Path binary;
  private volatile Path root;
  private volatile boolean started;
  private volatile boolean startFailed;
  private volatile boolean closed;

  private EtcdCluster(ClusterConfig config) {
    this.config = config;
    List<EtcdMember> list = new ArrayList<>();
    for (int i = 0; i < config.members(); i++) {
      list.add(new EtcdMember(this, i, config.name() + "-" + i));
    }
    this.members = List.copyOf(list);
  }

  /** A single-server cluster (not started yet). */
  public static EtcdCluster single() {
    return builder().build();
  }

  /** A cluster of {@code members} members (not started yet); 1 means a single server. */
  public static EtcdCluster cluster(int members) {
    return builder().members(members).build();
  }

  /** A builder with defaults: 1 member, name "etcd", fresh temp data root, 30 s start timeout. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts every member and waits until each answers {@code GET /health} with {@code
   * {"health":"true"}}.
   *
   * @return this cluster
   * @throws IllegalStateException if the binary is missing, or a member exits or is not healthy
   *     within the start timeout (the message names the member, its log file and the log's last
   *     lines); the processes are then killed, and the logs stay until {@link #close()} or JVM exit
   */
  public synchronized EtcdCluster start() {
    String name = config.name();
    if (closed) {
      throw new IllegalStateException("etcd cluster " + name + " is closed; build a new one");
    }
    if (startFailed) {
      throw new IllegalStateException(
          "etcd cluster " + name + " failed to start earlier; build a new one");
    }
    if (started) {
      return this;
    }
    binary =
        config.binary() != null
            ? EtcdBinary.requireExecutable(config.binary().toString(), "Builder.binary(...)")
            : EtcdBinary.locate();
    if (config.tls() != null) {
      config.tls().requireFiles();
    }
    root = DataRoot.prepare(config.dataRoot(), name);
    Cleanup.registerRoot(root);
    started = true;
    if (config.networkFaults()) {
      // before the ports are picked, so that no proxy can land on a port picked for etcd
      members.forEach(EtcdMember::openProxies);
    }
    Duration startTimeout = config.startTimeout();
    for (int attempt = 1; ; attempt++) {
      FreePorts.assign(members, config.tls() != null);
      long deadline = Durations.deadline(startTimeout);
      try {
        members.forEach(EtcdMember::launch);
        Readiness.awaitMembersHealthy(
            members,
            deadline,
            "did not become healthy within " + Durations.format(startTimeout) + " after start",
            attempt < PORT_ATTEMPTS);
        return this;
      } catch (PortConflict e) {
        killQuietly();
        for (EtcdMember m : members) {
          m.deleteDataDir();
        }
      } catch (RuntimeException e) {
        startFailed = true;
        killQuietly();
        throw e;
      }
    }
  }

  /**
   * Waits until every member answers {@code GET /health} with {@code {"health":"true"}}.
   *
   * @throws IllegalStateException at once if a member is not running, else when the timeout passes
   */
  public void awaitHealthy(Duration timeout) {
    requireStarted();
    Durations.requirePositive(timeout, "timeout");
    Readiness.awaitMembersHealthy(
        members,
        Durations.deadline(timeout),
        "did not become healthy within " + Durations.format(timeout),
        false);
  }

  /** The current leader, waiting up to the start timeout for one to be elected. */
  public EtcdMember leader() {
    return awaitLeader(config.startTimeout());
  }

  /**
   * Waits until exactly one running, unfrozen member reports itself as leader through {@code POST
   * /v3/maintenance/status} (with TLS: {@code etcd_server_is_leader 1} on {@code /metrics}), and
   * returns it.
   *
   * @throws IllegalStateException if there is no such member within the timeout
   */
  public EtcdMember awaitLeader(Duration timeout) {
    requireStarted();
    Durations.requirePositive(timeout, "timeout");
    return LeaderLookup.await(this, timeout);
  }

  /** The running members other than the current {@link #leader()}. */
  public List<EtcdMember> followers() {
    EtcdMember leader = leader();
    return members.stream()
        .filter(m -> m != leader && m.isRunning())
        .collect(Collectors.toUnmodifiableList());
  }

  /** All members, in order {@code <name>-0, <name>-1, ...}. */
  public List<EtcdMember> members() {
    return members;
  }

  /** The member at {@code index} (0-based). */
  public EtcdMember member(int index) {
    if (index < 0 || index >= members.size()) {
      throw new IndexOutOfBoundsException(
          "etcd cluster "
              + config.name()
              + " has members 0.."
              + (members.size() - 1)
              + ", not "
              + index);
    }
    return members.get(index);
  }

  /** Number of members. */
  public int size() {
    return members.size();
  }

  /**
   * Client URLs {@code http://127.0.0.1:PORT} ({@code https://} with {@link Builder#tls TLS}), one
   * per member; with {@link Builder#networkFaults()} the client proxies' URLs.
   */
  public List<String> clientEndpoints() {
    requireStarted();
    return members.stream()
        .map(EtcdMember::clientEndpoint)
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * Client addresses {@code 127.0.0.1:PORT}, one per member (the way Go clients write endpoints);
   * with {@link Builder#networkFaults()} the client proxies' addresses.
   */
  public List<String> clientEndpointsAsHostPort() {
    requireStarted();
    return members.stream()
        .map(EtcdMember::clientHostPort)
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * Each member's log file (etcd's stdout and stderr, appended across restarts); deleted by {@link
   * #close()}.
   */
  public List<Path> logFiles() {
    requireStarted();
    return members.stream().map(EtcdMember::logFile).collect(Collectors.toUnmodifiableList());
  }

  /** The cluster name, also the prefix of member names. */
  public String name() {
    return config.name();
  }

  /**
   * Turns etcd's authentication on, with {@code user} allowed to read and write the keys under
   * {@code keyPrefix} and nothing else (and a {@code root} user, which etcd requires, with a
   * password the kit keeps to itself). From then on every client must authenticate. Plaintext
   * clusters only.
   *
   * <pre>{@code
   * etcd.cluster().enableAuth("svc", "svc-password", "kitex/registry-etcd/");
   * }</pre>
   *
   * @throws UnsupportedOperationException on a TLS cluster: the calls go through etcd's client API,
   *     which the kit does not call over TLS
   * @throws IllegalStateException when etcd refuses a step; the message quotes its answer
   */
  public synchronized void enableAuth(String user, String password, String keyPrefix) {
    requireStarted();
    requireOpen();
    ClusterAuth.enable(this, user, password, keyPrefix);
  }

  /** True if built with {@link Builder#networkFaults()}: clients and peers go through proxies. */
  public boolean hasNetworkFaults() {
    return config.networkFaults();
  }

  /**
   * Lifts every network fault: each member's client and peer proxy passes both ways again and no
   * member stays {@link EtcdMember#isolateFromPeers() isolated}.
   *
   * @throws IllegalStateException if not built with {@link Builder#networkFaults()}
   */
  public void healNetwork() {
    for (EtcdMember m : members) {
      m.clientProxy().heal();
      m.healPeers();
    }
  }

  /** The TLS setup of the client URLs, if any. */
  public Optional<EtcdTls> tls() {
    return Optional.ofNullable(config.tls());
  }

  /** The {@code --initial-cluster-token}. */
  public String token() {
    return config.token();
  }

  /** The directory holding every member's data dir and log; deleted by {@link #close()}. */
  public Path dataRoot() {
    requireStarted();
    return root;
  }

  /** Bound for {@link #start()}, member restarts and {@link #leader()}. */
  public Duration startTimeout() {
    return config.startTimeout();
  }

  /** How long {@link EtcdMember#stop()} waits after SIGTERM before SIGKILL. */
  public Duration stopTimeout() {
    return config.stopTimeout();
  }

  /** True once {@link #start()} has been called (even if it failed). */
  public boolean isStarted() {
    return started;
  }

  /** True after {@link #close()}. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Kills every member (SIGKILL, waiting for exit) and deletes the data root. Idempotent; never
   * throws — problems are reported on stderr.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    killQuietly();
    members.forEach(EtcdMember::closeProxies);
    Path r = root;
    if (r != null) {
      try {
        Cleanup.deleteRecursively(r);
        Cleanup.unregisterRoot(r);
      } catch (IOException | UncheckedIOException e) {
        System.err.println(
            "etcd-testkit: could not delete " + r + " (will retry at JVM exit): " + e);
      }
    }
  }

  private void killQuietly() {
    for (EtcdMember m : members) {
      try {
        m.kill();
      } catch (RuntimeException e) {
        System.err.println("etcd-testkit: " + e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    EtcdTls tls = config.tls();
    return "EtcdCluster["
        + config.name()
        + ", "
        + members.size()
        + " member(s)"
        + (tls == null ? "" : tls.clientCertAuth() ? ", mutual TLS" : ", TLS")
        + (started
            ? ", "
                + members.stream()
                    .map(m -> m.name() + "=" + m.clientHostPort())
                    .collect(Collectors.joining(", "))
            : "")
        + (closed ? ", closed" : "")
        + "]";
  }

  // ---- used by the members and the cluster's parts ----

  void requireStarted() {
    if (!started) {
      throw new IllegalStateException(
          "etcd cluster " + config.name() + " is not started; call start() first");
    }
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("etcd cluster " + config.name() + " is closed");
    }
  }

  ClusterConfig config() {
    return config;
  }

  /** The etcd executable, found at {@link #start()}. */
  Path binary() {
    return binary;
  }

  /**
   * Builds {@link EtcdCluster}s; each {@link #build()} gives an independent cluster. The settings
   * and their defaults are the methods it inherits, from {@link #members(int)} to {@link
   * #networkFaults()}.
   */
  public static final class Builder extends ClusterSettings {

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    /** An independent builder with the same settings: changing one leaves the other as it was. */
    public Builder copy() {
      Builder b = new Builder();
      copyTo(b);
      return b;
    }

    /** A new, not yet started cluster. */
    public EtcdCluster build() {
      return new EtcdCluster(config());
    }

    /** Shorthand for {@code build().start()}. */
    public EtcdCluster start() {
      return build().start();
    }
  }
}
