package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One etcd process of an {@link EtcdCluster}, with fault operations: {@link #stop()}, {@link
 * #kill()}, {@link #restart()}, {@link #freeze()}, {@link #thaw()} and {@link #wipe()}.
 *
 * <p>Ports, data dir and log file stay the same across restarts. Accessors that need ports or paths
 * throw {@link IllegalStateException} before the cluster is started.
 */
public final class EtcdMember {

  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);
  private static final int LOG_LINES = 20;

  private final EtcdCluster cluster;
  private final int index;
  private final String name;

  private volatile int clientPort = -1;
  private volatile int peerPort = -1;
  private volatile int metricsPort = -1;
  private volatile Process process;
  private volatile boolean frozen;
  private volatile long launchLogOffset;
  private volatile String initialClusterOverride;
  private volatile String initialClusterState = "new";
  private volatile TcpProxy clientProxy;
  private volatile TcpProxy peerProxy;
  private volatile boolean isolated;

  EtcdMember(EtcdCluster cluster, int index, String name) {
    this.cluster = cluster;
    this.index = index;
    this.name = name;
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
    clientProxy = TcpProxy.open(name + " client", () -> clientPort, socket -> null);
    peerProxy = TcpProxy.open(name + " peer", () -> peerPort, cluster::dialerOf);
  }

  void closeProxies() {
    for (TcpProxy proxy : new TcpProxy[] {clientProxy, peerProxy}) {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  /**
   * The port clients connect to on 127.0.0.1: etcd's client port or, with {@link
   * EtcdCluster.Builder#networkFaults() network faults}, its client proxy's.
   */
  public int clientPort() {
    cluster.requireStarted();
    TcpProxy proxy = clientProxy;
    return proxy != null ? proxy.port() : clientPort;
  }

  /**
   * The peer port the member advertises on 127.0.0.1: etcd's own or, with {@link
   * EtcdCluster.Builder#networkFaults() network faults}, its peer proxy's.
   */
  public int peerPort() {
    cluster.requireStarted();
    TcpProxy proxy = peerProxy;
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
    return cluster.tlsOrNull() != null ? "https://" : "http://";
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
  private String listenPeerUrl() {
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
    return requireProxy(clientProxy, "clientProxy()");
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
    return requireProxy(peerProxy, "peerProxy()");
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
    TcpProxy own = peerProxy();
    if (!SocketOwners.supported()) {
      throw new UnsupportedOperationException(
          "isolateFromPeers() needs Linux's /proc/net/tcp to tell which member dialed a peer"
              + " connection; use peerProxy().blackhole() for a one-sided cut");
    }
    isolated = true;
    own.blackhole();
    for (EtcdMember other : cluster.members()) {
      if (other != this) {
        other.peerProxy().blackholeFrom(name);
      }
    }
    marker("isolated from peers (network faults)");
  }

  /**
   * Undoes {@link #isolateFromPeers()}: the member's peer proxy passes both ways again (whatever
   * fault it had) and the others' proxies forward its connections; connections that lost bytes are
   * reset, and etcd redials them.
   */
  public synchronized void healPeers() {
    TcpProxy own = peerProxy();
    own.heal();
    for (EtcdMember other : cluster.members()) {
      if (other != this) {
        other.peerProxy().healFrom(name);
      }
    }
    if (isolated) {
      isolated = false;
      marker("peers healed (network faults)");
    }
  }

  /** True between {@link #isolateFromPeers()} and {@link #healPeers()}. */
  public boolean isIsolatedFromPeers() {
    return isolated;
  }

  private TcpProxy requireProxy(TcpProxy proxy, String method) {
    cluster.requireStarted();
    if (!cluster.hasNetworkFaults()) {
      throw new IllegalStateException(
          "etcd cluster "
              + cluster.name()
              + " has no network faults: "
              + method
              + " of member "
              + name
              + " needs a cluster built with EtcdCluster.builder().networkFaults()");
    }
    return proxy;
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
    return cluster.tlsOrNull() != null ? metricsUrl() : directClientEndpoint();
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
    return cluster.dataRoot().resolve(name + ".log");
  }

  /** The last {@code lines} lines of {@link #logFile()}. */
  public String logTail(int lines) {
    return Cleanup.tail(logFile(), lines);
  }

  /** True while the etcd process is alive (also when frozen). */
  public boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** True while the process is alive and stopped by {@link #freeze()}. */
  public boolean isFrozen() {
    return frozen && isRunning();
  }

  /**
   * The pid of the current etcd process, or of the last one if it has exited.
   *
   * @throws IllegalStateException if the member was never started
   */
  public long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("etcd member " + name + " has never been started");
    }
    return p.pid();
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
    awaitHealthy(
        Durations.deadline(timeout), "did not become healthy within " + Durations.format(timeout));
  }

  /**
   * Graceful stop: thaws a frozen process, sends SIGTERM and waits up to the cluster's stop timeout
   * (default 10 s), then SIGKILLs. Does nothing if the member is not running. Note that etcd's own
   * graceful shutdown of a leader can stall when its chosen transferee is frozen; the timeout then
   * applies.
   */
  public synchronized void stop() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      frozen = false;
      return;
    }
    if (frozen) {
      signal("CONT", p);
      frozen = false;
    }
    marker("stopping (SIGTERM)");
    p.destroy();
    Duration timeout = cluster.stopTimeout();
    if (!waitFor(p, timeout)) {
      marker("still running " + Durations.format(timeout) + " after SIGTERM; killing (SIGKILL)");
      p.destroyForcibly();
      if (!waitFor(p, KILL_TIMEOUT)) {
        throw failure(
            "did not exit within "
                + Durations.format(KILL_TIMEOUT)
                + " after SIGKILL (pid "
                + p.pid()
                + ")");
      }
    }
  }

  /**
   * Crash: SIGKILL (also works on a frozen process) and wait for exit. Does nothing if not running.
   */
  public synchronized void kill() {
    Process p = process;
    frozen = false;
    if (p == null || !p.isAlive()) {
      return;
    }
    marker("killing (SIGKILL)");
    p.destroyForcibly();
    if (!waitFor(p, KILL_TIMEOUT)) {
      throw failure(
          "did not exit within "
              + Durations.format(KILL_TIMEOUT)
              + " after SIGKILL (pid "
              + p.pid()
              + ")");
    }
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
    awaitClientPort(deadline, "after restart");
    if (cluster.quorumPossible()) {
      awaitHealthy(
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
    Process p = requireRunning("freeze()");
    if (frozen) {
      return;
    }
    signal("STOP", p);
    frozen = true;
    awaitProcState(p, true);
    marker("frozen (SIGSTOP)");
  }

  /** Resumes a {@link #freeze() frozen} process with SIGCONT. Does nothing if not frozen. */
  public synchronized void thaw() {
    Process p = process;
    if (!frozen || p == null || !p.isAlive()) {
      frozen = false;
      return;
    }
    signal("CONT", p);
    frozen = false;
    awaitProcState(p, false);
    marker("thawed (SIGCONT)");
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
    if (cluster.size() > 1 && cluster.tlsOrNull() != null) {
      throw new UnsupportedOperationException(
          "wipe() of etcd member "
              + name
              + " is not supported on a TLS "
              + "cluster of "
              + cluster.size()
              + " members: removing and re-adding a member needs etcd's "
              + "client API, which the test kit does not call over TLS; use a plaintext cluster, a single "
              + "server, or kill()/restart()");
    }
    long deadline = Durations.deadline(cluster.startTimeout());
    String timeout = Durations.format(cluster.startTimeout());
    if (cluster.size() == 1) {
      stop();
      deleteDataDir();
      marker("wiped data dir");
      launch();
    } else {
      stop();
      String initialCluster = rejoin(deadline);
      deleteDataDir();
      marker("wiped data dir; rejoining as a new member");
      initialClusterOverride = initialCluster;
      initialClusterState = "existing";
      launch();
    }
    awaitHealthy(deadline, "did not become healthy within " + timeout + " after wipe()");
  }

  /**
   * Removes this member from the cluster and adds it back; returns the {@code --initial-cluster} to
   * join with.
   */
  private String rejoin(long deadline) {
    String myUrl = peerUrl();
    boolean removed = false;
    while (true) {
      Optional<List<EtcdHttp.Member>> list = memberListFromOthers(deadline);
      if (list.isPresent()) {
        Optional<EtcdHttp.Member> me =
            list.get().stream().filter(m -> m.peerUrls().contains(myUrl)).findFirst();
        if (!removed) {
          if (me.isEmpty()) {
            removed = true;
          } else {
            postToOthers(
                "/v3/cluster/member/remove",
                "{\"ID\":" + Json.quote(me.get().id()) + "}",
                deadline);
          }
        }
        if (removed) {
          if (me.isPresent()) {
            return initialClusterFrom(list.get());
          }
          postToOthers(
              "/v3/cluster/member/add", "{\"peerURLs\":[" + Json.quote(myUrl) + "]}", deadline);
        }
      }
      if (Durations.passed(deadline)) {
        String up =
            cluster.members().stream()
                .filter(m -> m != this && m.isRunning() && !m.isFrozen())
                .map(EtcdMember::name)
                .collect(Collectors.joining(", "));
        throw failure(
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
                  .orElse(name);
        }
        entries.add(memberName + "=" + url);
      }
    }
    return String.join(",", entries);
  }

  private Optional<List<EtcdHttp.Member>> memberListFromOthers(long deadline) {
    for (EtcdMember m : cluster.members()) {
      if (m != this && m.isRunning() && !m.isFrozen()) {
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
      if (m != this
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

  @Override
  public String toString() {
    return "EtcdMember["
        + name
        + (clientPort > 0 ? ", " + "127.0.0.1:" + clientPort : "")
        + (isFrozen() ? ", frozen" : isRunning() ? ", running" : ", stopped")
        + "]";
  }

  // ---- process handling ----

  synchronized void launch() {
    cluster.requireOpen();
    if (isRunning()) {
      throw new IllegalStateException(
          "etcd member " + name + " is already running (pid " + pid() + ")");
    }
    List<String> command = command();
    marker("starting: " + String.join(" ", command));
    launchLogOffset = logSize();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(cluster.dataRoot().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start etcd member "
              + name
              + " with "
              + cluster.binary()
              + ": "
              + e.getMessage(),
          e);
    }
    Cleanup.register(p);
    process = p;
    frozen = false;
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // etcd does not read stdin
    }
  }

  private List<String> command() {
    String initialCluster =
        initialClusterOverride != null ? initialClusterOverride : cluster.initialCluster();
    List<String> command =
        new ArrayList<>(
            List.of(
                cluster.binary().toString(),
                "--name=" + name,
                "--data-dir=" + dataDir(),
                "--listen-client-urls=" + directClientEndpoint(),
                "--advertise-client-urls=" + clientEndpoint(),
                "--listen-peer-urls=" + listenPeerUrl(),
                "--initial-advertise-peer-urls=" + peerUrl(),
                "--initial-cluster=" + initialCluster,
                "--initial-cluster-token=" + cluster.token(),
                "--initial-cluster-state=" + initialClusterState,
                "--logger=zap",
                "--log-outputs=stderr",
                "--heartbeat-interval=" + cluster.heartbeatInterval().toMillis(),
                "--election-timeout=" + cluster.electionTimeout().toMillis()));
    EtcdTls tls = cluster.tlsOrNull();
    if (tls != null) {
      command.add("--listen-metrics-urls=http://127.0.0.1:" + metricsPort);
      command.addAll(tls.flags());
    }
    command.addAll(cluster.extraFlags());
    return command;
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
    return Cleanup.readFrom(logFile(), launchLogOffset);
  }

  private long logSize() {
    try {
      return Files.size(logFile());
    } catch (IOException e) {
      return 0;
    }
  }

  /** Appends a testkit line to the log, so the log tells what the test did to the process. */
  private void marker(String what) {
    try {
      Files.writeString(
          logFile(),
          "--- etcd-testkit " + Instant.now() + " " + name + ": " + what + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // diagnostics only
    }
  }

  private Process requireRunning(String operation) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(
          "etcd member " + name + " is not running; cannot " + operation);
    }
    return p;
  }

  /** Throws a {@link #failure} if the process is not alive. */
  void requireAlive(String when) {
    Process p = process;
    if (p == null) {
      throw failure("was never started");
    }
    if (!p.isAlive()) {
      throw failure("is not running (exit code " + p.exitValue() + ") " + when);
    }
  }

  private void awaitHealthy(long deadline, String what) {
    while (true) {
      requireAlive("while waiting for it to become healthy");
      if (EtcdHttp.isHealthy(
          healthEndpoint(), Durations.capToDeadline(EtcdHttp.PROBE_TIMEOUT, deadline))) {
        return;
      }
      if (Durations.passed(deadline)) {
        throw failure(what + (isFrozen() ? " (it is frozen)" : ""));
      }
      Durations.pause();
    }
  }

  private void awaitClientPort(long deadline, String when) {
    InetSocketAddress address;
    try {
      address =
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), clientPort);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    while (true) {
      requireAlive(when);
      try (Socket socket = new Socket()) {
        socket.connect(
            address, (int) Durations.capToDeadline(CONNECT_TIMEOUT, deadline).toMillis());
        return;
      } catch (IOException notYet) {
        // poll again
      }
      if (Durations.passed(deadline)) {
        throw failure(
            "did not open its client port "
                + clientHostPort()
                + " within "
                + Durations.format(cluster.startTimeout())
                + " "
                + when);
      }
      Durations.pause();
    }
  }

  /** An exception naming this member, its log file and the log's last lines. */
  IllegalStateException failure(String what) {
    Path log = logFile();
    return new IllegalStateException(
        "etcd member "
            + name
            + " "
            + what
            + "; log: "
            + log
            + " (last lines:\n"
            + Cleanup.tail(log, LOG_LINES)
            + "\n)");
  }

  private static boolean waitFor(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd to exit", e);
    }
  }

  /** Sends a signal with {@code kill -SIG pid}. */
  private void signal(String signal, Process p) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
              .redirectErrorStream(true)
              .start();
      kill.getOutputStream().close();
      String output =
          new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " did not finish");
      }
      if (kill.exitValue() != 0 && p.isAlive()) {
        throw new IllegalStateException(
            "kill -"
                + signal
                + " "
                + p.pid()
                + " for etcd member "
                + name
                + " failed (exit "
                + kill.exitValue()
                + "): "
                + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not run 'kill -" + signal + "' for etcd member " + name + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling etcd member " + name, e);
    }
  }

  /**
   * Waits briefly until Linux reports the process as stopped (state T) or not, so that freeze() and
   * thaw() have taken effect when they return. Without /proc this returns at once.
   */
  private static void awaitProcState(Process p, boolean stopped) {
    Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
    long deadline = Durations.deadline(SIGNAL_TIMEOUT);
    while (p.isAlive() && !Durations.passed(deadline)) {
      String text;
      try {
        text = Files.readString(stat, StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        return;
      }
      int close = text.lastIndexOf(')');
      if (close < 0 || close + 2 >= text.length()) {
        return;
      }
      char state = text.charAt(close + 2);
      if ((state == 'T') == stopped) {
        return;
      }
      Durations.pause();
    }
  }
}
