package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(1);
  private static final int PORT_ATTEMPTS = 3;

  private final String name;
  private final String token;
  private final Path requestedRoot;
  private final List<String> extraFlags;
  private final Duration startTimeout;
  private final Duration stopTimeout;
  private final Duration heartbeatInterval;
  private final Duration electionTimeout;
  private final Path binaryOverride;
  private final EtcdTls tls;
  private final boolean networkFaults;
  private final List<EtcdMember> members;

  private volatile Path binary;
  private volatile Path root;
  private volatile boolean started;
  private volatile boolean startFailed;
  private volatile boolean closed;

  private EtcdCluster(Builder b) {
    this.name = b.name;
    this.token =
        b.token != null ? b.token : b.name + "-" + UUID.randomUUID().toString().substring(0, 8);
    this.requestedRoot = b.dataRoot;
    List<String> flags = new ArrayList<>(b.extraFlags);
    if (b.compactionMode != null) {
      flags.add("--auto-compaction-mode=" + b.compactionMode);
      flags.add("--auto-compaction-retention=" + b.compactionRetention);
    }
    this.extraFlags = List.copyOf(flags);
    this.startTimeout = b.startTimeout;
    this.stopTimeout = b.stopTimeout;
    this.heartbeatInterval = b.heartbeatInterval;
    this.electionTimeout = b.electionTimeout;
    this.binaryOverride = b.binary;
    this.tls = b.tls;
    this.networkFaults = b.networkFaults;
    List<EtcdMember> list = new ArrayList<>();
    for (int i = 0; i < b.members; i++) {
      list.add(new EtcdMember(this, i, b.name + "-" + i));
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
        binaryOverride != null
            ? EtcdBinary.requireExecutable(binaryOverride.toString(), "Builder.binary(...)")
            : EtcdBinary.locate();
    if (tls != null) {
      tls.requireFiles();
    }
    root = prepareRoot();
    Cleanup.registerRoot(root);
    started = true;
    if (networkFaults) {
      // before the ports are picked, so that no proxy can land on a port picked for etcd
      members.forEach(EtcdMember::openProxies);
    }
    for (int attempt = 1; ; attempt++) {
      assignPorts();
      long deadline = Durations.deadline(startTimeout);
      try {
        members.forEach(EtcdMember::launch);
        awaitMembersHealthy(
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

  private Path prepareRoot() {
    try {
      if (requestedRoot == null) {
        return Files.createTempDirectory("etcd-testkit-" + name + "-").toAbsolutePath();
      }
      Path dir = requestedRoot.toAbsolutePath().normalize();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> entries = Files.list(dir)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalStateException(
                "etcd data root "
                    + dir
                    + " is not empty; the cluster owns "
                    + "its data root and deletes it on close(), so give it a new or empty directory");
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create etcd data root: " + e.getMessage(), e);
    }
  }

  private void assignPorts() {
    int perMember = tls != null ? 3 : 2; // client, peer and, with TLS, plain-HTTP metrics
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      for (int i = 0; i < members.size() * perMember; i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(loopback, 0));
      }
      for (int i = 0; i < members.size(); i++) {
        int first = perMember * i;
        members
            .get(i)
            .assignPorts(
                sockets.get(first).getLocalPort(),
                sockets.get(first + 1).getLocalPort(),
                tls != null ? sockets.get(first + 2).getLocalPort() : -1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not pick free ports on 127.0.0.1: " + e.getMessage(), e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }
  }

  /**
   * Thrown internally when a member could not bind its freshly picked port (someone else took it).
   */
  private static final class PortConflict extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  private void awaitMembersHealthy(
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

  /**
   * Waits until every member answers {@code GET /health} with {@code {"health":"true"}}.
   *
   * @throws IllegalStateException at once if a member is not running, else when the timeout passes
   */
  public void awaitHealthy(Duration timeout) {
    requireStarted();
    Durations.requirePositive(timeout, "timeout");
    awaitMembersHealthy(
        members,
        Durations.deadline(timeout),
        "did not become healthy within " + Durations.format(timeout),
        false);
  }

  /** The current leader, waiting up to the start timeout for one to be elected. */
  public EtcdMember leader() {
    return awaitLeader(startTimeout);
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
    long deadline = Durations.deadline(timeout);
    while (true) {
      List<EtcdMember> leaders = new ArrayList<>();
      for (EtcdMember m : members) {
        if (m.isRunning() && !m.isFrozen() && claimsLeadership(m, deadline)) {
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
                + name
                + " has no single leader within "
                + Durations.format(timeout)
                + " (running members: ["
                + up
                + "], claiming leadership: "
                + leaders.stream().map(EtcdMember::name).collect(Collectors.toList())
                + "); logs: "
                + logFiles());
      }
      Durations.pause();
    }
  }

  private boolean claimsLeadership(EtcdMember m, long deadline) {
    Duration timeout = Durations.capToDeadline(STATUS_TIMEOUT, deadline);
    if (tls != null) {
      return EtcdHttp.isLeaderByMetrics(m.metricsUrl(), timeout);
    }
    Optional<EtcdHttp.Status> status = EtcdHttp.status(m.directClientEndpoint(), timeout);
    return status.isPresent() && status.get().isLeader();
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
          "etcd cluster " + name + " has members 0.." + (members.size() - 1) + ", not " + index);
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
    return name;
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
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (keyPrefix == null || keyPrefix.isEmpty()) {
      throw new IllegalArgumentException("keyPrefix must not be empty, e.g. kitex/registry-etcd/");
    }
    if (tls != null) {
      throw new UnsupportedOperationException(
          "enableAuth() is not supported on the TLS cluster "
              + name
              + ": it calls etcd's client API, which the test kit does not call over TLS");
    }
    String role = "role-" + user;
    byte[] prefixBytes = keyPrefix.getBytes(StandardCharsets.UTF_8);
    String key = base64(prefixBytes);
    String rangeEnd = base64(prefixEnd(prefixBytes));
    authCall(
        "/v3/auth/user/add",
        "{\"name\":\"root\",\"password\":" + Json.quote(UUID.randomUUID().toString()) + "}");
    authCall("/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
    authCall("/v3/auth/role/add", "{\"name\":" + Json.quote(role) + "}");
    authCall(
        "/v3/auth/role/grant",
        "{\"name\":"
            + Json.quote(role)
            + ",\"perm\":{\"permType\":\"READWRITE\","
            + "\"key\":"
            + Json.quote(key)
            + ",\"range_end\":"
            + Json.quote(rangeEnd)
            + "}}");
    authCall(
        "/v3/auth/user/add",
        "{\"name\":" + Json.quote(user) + ",\"password\":" + Json.quote(password) + "}");
    authCall(
        "/v3/auth/user/grant",
        "{\"user\":" + Json.quote(user) + ",\"role\":" + Json.quote(role) + "}");
    authCall("/v3/auth/enable", "{}");
  }

  private void authCall(String path, String json) {
    String url = members.get(0).directClientEndpoint() + path;
    EtcdHttp.Response response;
    try {
      response = EtcdHttp.post(url, json, startTimeout);
    } catch (IOException e) {
      throw new UncheckedIOException("enableAuth: " + path + " failed on etcd cluster " + name, e);
    }
    if (response.status() != 200) {
      // the answer never holds a password: etcd does not echo request fields
      throw new IllegalStateException(
          "enableAuth: etcd answered "
              + path
              + " with "
              + response.status()
              + ": "
              + response.body());
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * The end of the range of keys that start with {@code prefix}: its last byte below 0xff
   * incremented.
   */
  private static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return new byte[] {0}; // every key from the prefix on
  }

  /** True if built with {@link Builder#networkFaults()}: clients and peers go through proxies. */
  public boolean hasNetworkFaults() {
    return networkFaults;
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
    return Optional.ofNullable(tls);
  }

  /** The {@code --initial-cluster-token}. */
  public String token() {
    return token;
  }

  /** The directory holding every member's data dir and log; deleted by {@link #close()}. */
  public Path dataRoot() {
    requireStarted();
    return root;
  }

  /** Bound for {@link #start()}, member restarts and {@link #leader()}. */
  public Duration startTimeout() {
    return startTimeout;
  }

  /** How long {@link EtcdMember#stop()} waits after SIGTERM before SIGKILL. */
  public Duration stopTimeout() {
    return stopTimeout;
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
    return "EtcdCluster["
        + name
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

  // ---- used by EtcdMember ----

  void requireStarted() {
    if (!started) {
      throw new IllegalStateException(
          "etcd cluster " + name + " is not started; call start() first");
    }
  }

  void requireOpen() {
    if (closed) {
      throw new IllegalStateException("etcd cluster " + name + " is closed");
    }
  }

  Path binary() {
    return binary;
  }

  List<String> extraFlags() {
    return extraFlags;
  }

  Duration heartbeatInterval() {
    return heartbeatInterval;
  }

  Duration electionTimeout() {
    return electionTimeout;
  }

  EtcdTls tlsOrNull() {
    return tls;
  }

  /**
   * Names the member that dialed a connection accepted by a peer proxy, or null: the running member
   * whose process owns the dialing socket.
   */
  String dialerOf(Socket accepted) {
    Map<Long, EtcdMember> byPid = new HashMap<>();
    for (EtcdMember m : members) {
      if (m.isRunning()) {
        byPid.put(m.pid(), m);
      }
    }
    OptionalLong pid =
        SocketOwners.dialer(accepted.getPort(), accepted.getLocalPort(), byPid.keySet());
    return pid.isPresent() ? byPid.get(pid.getAsLong()).name() : null;
  }

  String initialCluster() {
    return members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
  }

  /** True if a majority of members is running and not frozen. */
  boolean quorumPossible() {
    long up = members.stream().filter(m -> m.isRunning() && !m.isFrozen()).count();
    return up * 2 > members.size();
  }

  /** Builds {@link EtcdCluster}s; each {@link #build()} gives an independent cluster. */
  public static final class Builder {

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

    private Builder() {}

    /** An independent builder with the same settings: changing one leaves the other as it was. */
    public Builder copy() {
      Builder b = new Builder();
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
      return b;
    }

    /** Number of members, 1 (single server, the default) or more. */
    public Builder members(int members) {
      if (members < 1) {
        throw new IllegalArgumentException(
            "an etcd cluster needs at least 1 member, got " + members);
      }
      this.members = members;
      return this;
    }

    /** Cluster name (default "etcd"): members are named {@code <name>-0, <name>-1, ...}. */
    public Builder name(String name) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("cluster name must match " + NAME + ", got " + name);
      }
      this.name = name;
      return this;
    }

    /**
     * {@code --initial-cluster-token}; default: the name plus a random suffix, fresh for every
     * build.
     */
    public Builder token(String token) {
      this.token = Objects.requireNonNull(token, "token");
      return this;
    }

    /**
     * Data root holding member data dirs and logs. It must be new or empty: the cluster owns it and
     * deletes it on close. Default: a fresh temporary directory {@code etcd-testkit-<name>-*}.
     */
    public Builder dataRoot(Path dataRoot) {
      this.dataRoot = Objects.requireNonNull(dataRoot, "dataRoot");
      return this;
    }

    /**
     * Extra etcd flags, e.g. {@code List.of("--quota-backend-bytes=1048576")}; appended last, so
     * they win.
     */
    public Builder extraFlags(List<String> flags) {
      this.extraFlags = List.copyOf(flags);
      return this;
    }

    /**
     * Passes {@code --auto-compaction-mode} and {@code --auto-compaction-retention}, e.g. {@code
     * autoCompaction("revision", "1000")} or {@code autoCompaction("periodic", "1h")}.
     */
    public Builder autoCompaction(String mode, String retention) {
      this.compactionMode = Objects.requireNonNull(mode, "mode");
      this.compactionRetention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /** Bound for start, member restarts and leader lookups; default 30 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Durations.requirePositive(timeout, "startTimeout");
      return this;
    }

    /** How long {@link EtcdMember#stop()} waits after SIGTERM before SIGKILL; default 10 s. */
    public Builder stopTimeout(Duration timeout) {
      this.stopTimeout = Durations.requirePositive(timeout, "stopTimeout");
      return this;
    }

    /** {@code --heartbeat-interval}; default 50 ms (etcd's own default is 100 ms). */
    public Builder heartbeatInterval(Duration interval) {
      this.heartbeatInterval = Durations.requirePositive(interval, "heartbeatInterval");
      return this;
    }

    /**
     * {@code --election-timeout}; default 500 ms (etcd's own default is 1 s); at least 5
     * heartbeats.
     */
    public Builder electionTimeout(Duration timeout) {
      this.electionTimeout = Durations.requirePositive(timeout, "electionTimeout");
      return this;
    }

    /** The etcd executable; default {@link EtcdBinary#locate()}, evaluated at {@link #start()}. */
    public Builder binary(Path binary) {
      this.binary = Objects.requireNonNull(binary, "binary");
      return this;
    }

    /**
     * Serves clients over TLS as {@code tls} says: client URLs become {@code
     * https://127.0.0.1:PORT}, and each member gets one more port serving {@code /health} and
     * {@code /metrics} in plain HTTP ({@link EtcdMember#metricsUrl()}), used for every health
     * probe. Peers still talk plain HTTP. Default: no TLS. The files are checked at {@link
     * #start()}.
     */
    public Builder tls(EtcdTls tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Puts a {@link TcpProxy} on 127.0.0.1 in front of each member's client port and each member's
     * peer port, so that tests can blackhole, delay or reset traffic per member and direction
     * ({@link EtcdMember#clientProxy()}, {@link EtcdMember#peerProxy()}, {@link
     * EtcdMember#isolateFromPeers()}). Clients connect through the client proxies ({@link
     * #clientEndpoints()} returns their addresses) and each member advertises its peer proxy, so
     * all peer traffic goes through the peer proxies; etcd listens on its own ports behind them.
     * The kit's own probes bypass the proxies. Off by default, so that benchmarks measure etcd
     * without an extra hop. Works with {@link #tls(EtcdTls)}: the proxy forwards bytes, and the
     * address stays 127.0.0.1.
     */
    public Builder networkFaults() {
      this.networkFaults = true;
      return this;
    }

    /** A new, not yet started cluster. */
    public EtcdCluster build() {
      if (electionTimeout.toMillis() < 5 * heartbeatInterval.toMillis()) {
        throw new IllegalArgumentException(
            "etcd requires electionTimeout ("
                + electionTimeout.toMillis()
                + "ms) >= 5 x heartbeatInterval ("
                + heartbeatInterval.toMillis()
                + "ms)");
      }
      return new EtcdCluster(this);
    }

    /** Shorthand for {@code build().start()}. */
    public EtcdCluster start() {
      return build().start();
    }
  }
}
