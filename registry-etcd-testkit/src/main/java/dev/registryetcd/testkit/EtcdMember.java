package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One etcd process of an {@link EtcdCluster}, with fault operations: {@link #stop()}, {@link
 * #kill()}, {@link #restart()}, {@link #freeze()}, {@link #thaw()} and {@link #wipe()}.
 *
 * <p>Ports, data dir and log file stay the same across restarts. Accessors that need ports or paths
 * throw {@link IllegalStateException} before the cluster is started.
 */
public final class EtcdMember {

  private final EtcdCluster cluster;
  private final int index;
  private final String name;
  private final MemberLog log;
  private final MemberProcess process;
  private final MemberProxies proxies;

  private volatile int clientPort = -1;
  private volatile int peerPort = -1;
  private volatile int metricsPort = -1;
  private volatile String initialClusterOverride;
  private volatile String initialClusterState = "new";

  EtcdMember(EtcdCluster cluster, int index, String name) {
    this.cluster = cluster;
    this.index = index;
    this.name = name;
    this.log = new MemberLog(cluster, name);
    this.process = new MemberProcess(name, log);
    this.proxies = new MemberProxies(cluster, this);
  }

  /** {@code metrics} is -1 without TLS (no metrics listener). */
  void assignPorts(int client, int peer, int metrics) {
    this.clientPort = client;
    this.peerPort = peer;
    this.metricsPort = metrics;
  }

  /** Member name ({@code --name}), e.g. {@code etcd-0}. */
  public String name() {
    return name;
  }

  /** Position in {@link EtcdCluster#members()}. */
  public int index() {
    return index;
  }

  /** Opens the member's two proxies; their targets are read per connection, so ports may change. */
  void openProxies() {
    proxies.open(() -> clientPort, () -> peerPort);
  }

  void closeProxies() {
    proxies.close();
  }

  /**
   * The port clients connect to on 127.0.0.1: etcd's client port or, with {@link
   * EtcdCluster.Builder#networkFaults() network faults}, its client proxy's.
   */
  public int clientPort() {
    cluster.requireStarted();
    TcpProxy proxy = proxies.clientOrNull();
    return proxy != null ? proxy.port() : clientPort;
  }

  /**
   * The peer port the member advertises on 127.0.0.1: etcd's own or, with {@link
   * EtcdCluster.Builder#networkFaults() network faults}, its peer proxy's.
   */
  public int peerPort() {
    cluster.requireStarted();
    TcpProxy proxy = proxies.peerOrNull();
    return proxy != null ? proxy.port() : peerPort;
  }

  /**
   * {@code http://127.0.0.1:PORT}, or {@code https://127.0.0.1:PORT} when the cluster serves
   * clients over TLS; the client proxy's port with {@link EtcdCluster.Builder#networkFaults()
   * network faults}, so that clients feel them.
   */
  public String clientEndpoint() {
    return scheme() + clientHostPort();
  }

  /**
   * etcd's own client URL, bypassing the client proxy: a side door for checks that must not be
   * affected by network faults. Same as {@link #clientEndpoint()} without network faults. The kit's
   * own probes (health, leader lookup, {@link #wipe()}) always use it.
   */
  public String directClientEndpoint() {
    cluster.requireStarted();
    return scheme() + "127.0.0.1:" + clientPort;
  }

  private String scheme() {
    return cluster.config().tls() != null ? "https://" : "http://";
  }

  /** {@code 127.0.0.1:PORT} of {@link #clientEndpoint()}. */
  public String clientHostPort() {
    return "127.0.0.1:" + clientPort();
  }

  /**
   * {@code http://127.0.0.1:PEERPORT}, the URL the member advertises to its peers (its peer proxy
   * with network faults).
   */
  public String peerUrl() {
    return "http://127.0.0.1:" + peerPort();
  }

  /** etcd's own peer listener ({@code --listen-peer-urls}). */
  String listenPeerUrl() {
    cluster.requireStarted();
    return "http://127.0.0.1:" + peerPort;
  }

  /**
   * The proxy clients go through to reach this member: {@code clientProxy().blackhole()}, {@code
   * .delay(..)}, {@code .reset()}, {@code .heal()}.
   *
   * @throws IllegalStateException if the cluster was not built with {@link
   *     EtcdCluster.Builder#networkFaults()}
   */
  public TcpProxy clientProxy() {
    return proxies.client();
  }

  /**
   * The proxy in front of this member's peer port, which the other members dial. Faults here touch
   * only the connections others dialed to this member: the member still reaches the others over the
   * connections it dialed itself (etcd's raft streams run both ways, one per dialer), so a
   * blackhole here alone does not isolate it; {@link #isolateFromPeers()} does.
   *
   * @throws IllegalStateException if the cluster was not built with {@link
   *     EtcdCluster.Builder#networkFaults()}
   */
  public TcpProxy peerProxy() {
    return proxies.peer();
  }

  /**
   * Cuts this member off from its peers while clients still reach it: blackholes its {@link
   * #peerProxy()} and, at every other member's peer proxy, the connections this member dialed
   * (found by asking Linux which process owns the dialing socket). After about an election timeout
   * the member has no leader: reads and writes through it fail, the others keep serving (if they
   * are a majority) and elect a leader among themselves if it was the leader. Undo with {@link
   * #healPeers()}. etcd without {@code --pre-vote} (3.4's default) campaigns with ever higher terms
   * while isolated, so healing it usually makes the cluster elect again.
   *
   * @throws IllegalStateException if the cluster was not built with {@link
   *     EtcdCluster.Builder#networkFaults()}
   * @throws UnsupportedOperationException where {@code /proc/net/tcp} is missing (not Linux)
   */
  public synchronized void isolateFromPeers() {
    proxies.isolate(log);
  }

  /**
   * Undoes {@link #isolateFromPeers()}: the member's peer proxy passes both ways again (whatever
   * fault it had) and the others' proxies forward its connections; connections that lost bytes are
   * reset, and etcd redials them.
   */
  public synchronized void healPeers() {
    proxies.healPeers(log);
  }

  /** True between {@link #isolateFromPeers()} and {@link #healPeers()}. */
  public boolean isIsolatedFromPeers() {
    return proxies.isolated();
  }

  /**
   * {@code http://127.0.0.1:METRICSPORT}, etcd's {@code --listen-metrics-urls}: {@code /health} and
   * {@code /metrics} in plain HTTP, without client certificates.
   *
   * @throws IllegalStateException if the cluster does not use TLS (then {@link #clientEndpoint()}
   *     serves both)
   */
  public String metricsUrl() {
    cluster.requireStarted();
    if (metricsPort < 0) {
      throw new IllegalStateException(
          "etcd member "
              + name
              + " has no metrics URL: only TLS clusters get one; "
              + "use clientEndpoint() + \"/health\"");
    }
    return "http://127.0.0.1:" + metricsPort;
  }

  /**
   * Where the kit probes {@code /health}: the metrics URL with TLS, else etcd's own client URL
   * (never through the proxy, so that network faults do not blind the kit).
   */
  String healthEndpoint() {
    return cluster.config().tls() != null ? metricsUrl() : directClientEndpoint();
  }

  /** {@code --data-dir}: {@code <dataRoot>/<name>.etcd}. */
  public Path dataDir() {
    return cluster.dataRoot().resolve(name + ".etcd");
  }

  /**
   * etcd's stdout and stderr, appended across restarts, with testkit markers: {@code
   * <dataRoot>/<name>.log}.
   */
  public Path logFile() {
    return log.file();
  }

  /** The last {@code lines} lines of {@link #logFile()}. */
  public String logTail(int lines) {
    return Cleanup.tail(logFile(), lines);
  }

  /** True while the etcd process is alive (also when frozen). */
  public boolean isRunning() {
    return process.isRunning();
  }

  /** True while the process is alive and stopped by {@link #freeze()}. */
  public boolean isFrozen() {
    return process.isFrozen();
  }

  /**
   * The pid of the current etcd process, or of the last one if it has exited.
   *
   * @throws IllegalStateException if the member was never started
   */
  public long pid() {
    return process.pid();
  }

  /**
   * One probe: does {@code GET /health} answer {@code {"health":"true"}} within 2 s? (On the client
   * endpoint, or with TLS on {@link #metricsUrl()}.)
   */
  public boolean isHealthy() {
    return isRunning() && EtcdHttp.isHealthy(healthEndpoint(), EtcdHttp.PROBE_TIMEOUT);
  }

  /**
   * Waits until {@code GET /health} answers {@code {"health":"true"}} (which needs a quorum).
   *
   * @throws IllegalStateException at once if the process is not running or exits, else when the
   *     timeout passes
   */
  public void awaitHealthy(Duration timeout) {
    cluster.requireStarted();
    Durations.requirePositive(timeout, "timeout");
    Readiness.awaitHealthy(
        this,
        Durations.deadline(timeout),
        "did not become healthy within " + Durations.format(timeout));
  }

  /**
   * Graceful stop: thaws a frozen process, sends SIGTERM and waits up to the cluster's stop timeout
   * (default 10 s), then SIGKILLs. Does nothing if the member is not running. Note that etcd's own
   * graceful shutdown of a leader can stall when its chosen transferee is frozen; the timeout then
   * applies.
   */
  public synchronized void stop() {
    process.stop(cluster.stopTimeout());
  }

  /**
   * Crash: SIGKILL (also works on a frozen process) and wait for exit. Does nothing if not running.
   */
  public synchronized void kill() {
    process.kill();
  }

  /**
   * Starts the member again on the same data dir and ports; {@link #stop() stops} it first if
   * running.
   *
   * <p>Waits (up to the cluster's start timeout) until the client port accepts connections and, if
   * a majority of members is now running and not frozen, until {@code /health} is true. Without a
   * quorum it returns once the port is open; use {@link #awaitHealthy(Duration)} after restoring
   * the quorum.
   */
  public synchronized void restart() {
    cluster.requireStarted();
    cluster.requireOpen();
    stop();
    long deadline = Durations.deadline(cluster.startTimeout());
    launch();
    Readiness.awaitClientPort(this, clientPort, deadline, cluster.startTimeout(), "after restart");
    if (Readiness.quorumPossible(cluster)) {
      Readiness.awaitHealthy(
          this,
          deadline,
          "did not become healthy within "
              + Durations.format(cluster.startTimeout())
              + " after restart");
    }
  }

  /**
   * Pauses the process with SIGSTOP: it keeps its ports but answers nothing, like a hung machine.
   */
  public synchronized void freeze() {
    process.freeze();
  }

  /** Resumes a {@link #freeze() frozen} process with SIGCONT. Does nothing if not frozen. */
  public synchronized void thaw() {
    process.thaw();
  }

  /**
   * Data loss: stops the member, deletes its data dir and starts it again empty, waiting until
   * healthy.
   *
   * <p>In a single-server cluster this gives a brand-new etcd (same ports, no keys, revision
   * reset). In a larger cluster the member is removed ({@code /v3/cluster/member/remove}) and
   * re-added ({@code /v3/cluster/member/add}) through another member, then started with {@code
   * --initial-cluster-state=existing}; it gets a new member id and catches up from the leader. That
   * needs a quorum among the other members.
   *
   * @throws UnsupportedOperationException for a member of a multi-member TLS cluster: the
   *     membership calls go through etcd's client API, which the kit cannot reach without the
   *     client's certificates
   */
  public synchronized void wipe() {
    cluster.requireStarted();
    cluster.requireOpen();
    Rejoin.requireSupported(cluster, this);
    long deadline = Durations.deadline(cluster.startTimeout());
    String timeout = Durations.format(cluster.startTimeout());
    if (cluster.size() == 1) {
      stop();
      deleteDataDir();
      log.marker("wiped data dir");
      launch();
    } else {
      stop();
      String initialCluster = Rejoin.rejoin(cluster, this, deadline);
      deleteDataDir();
      log.marker("wiped data dir; rejoining as a new member");
      initialClusterOverride = initialCluster;
      initialClusterState = "existing";
      launch();
    }
    Readiness.awaitHealthy(
        this, deadline, "did not become healthy within " + timeout + " after wipe()");
  }

  @Override
  public String toString() {
    return "EtcdMember["
        + name
        + (clientPort > 0 ? ", " + "127.0.0.1:" + clientPort : "")
        + (isFrozen() ? ", frozen" : isRunning() ? ", running" : ", stopped")
        + "]";
  }

  // ---- used by the cluster and its parts ----

  synchronized void launch() {
    cluster.requireOpen();
    if (isRunning()) {
      throw new IllegalStateException(
          "etcd member " + name + " is already running (pid " + pid() + ")");
    }
    String initialCluster =
        initialClusterOverride != null
            ? initialClusterOverride
            : EtcdCommandLine.initialCluster(cluster);
    process.launch(
        EtcdCommandLine.of(cluster, this, initialCluster, initialClusterState),
        cluster.dataRoot(),
        cluster.binary());
  }

  void deleteDataDir() {
    try {
      Cleanup.deleteRecursively(dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not delete data dir of etcd member " + name + ": " + e, e);
    }
  }

  /** Log text written since the last launch. */
  String logSinceLaunch() {
    return log.sinceLaunch();
  }

  /** Throws a {@link #failure} if the process is not alive. */
  void requireAlive(String when) {
    process.requireAlive(when);
  }

  /** An exception naming this member, its log file and the log's last lines. */
  IllegalStateException failure(String what) {
    return log.failure(what);
  }
}
