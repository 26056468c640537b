package dev.registryetcd.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * A TCP proxy on a free {@code 127.0.0.1} port in front of one port of an etcd member, which can
 * drop, delay or cut the traffic: the kit's network faults (see {@link
 * EtcdCluster.Builder#networkFaults()}), in the spirit of the proxy etcd's own functional tester
 * puts in front of its members.
 *
 * <p>Faults are set per {@link Direction} and apply at once to open connections and to new ones:
 *
 * <ul>
 *   <li>{@link #blackhole()}: connections are still accepted and kept open, but nothing is
 *       forwarded. The proxy keeps reading and drops what it reads (as etcd's functional tester
 *       does), so a sender never blocks on a full buffer: what a member notices is the silence of
 *       its peers, after its own timeouts, not the buffer sizes of the machine. Dropping bytes out
 *       of a TCP stream is something a real network never does (TCP would retransmit them), so when
 *       a blackhole is lifted every connection that lost bytes is reset: endpoints reconnect
 *       instead of reading a stream with a hole in it.
 *   <li>{@link #delay(Duration)}: each chunk read is forwarded {@code delay} after it was read,
 *       order kept; a round trip through a proxy delayed both ways takes at least twice the delay.
 *   <li>{@link #reset()}: every open connection is closed with a TCP RST on both sides; new
 *       connections work as before.
 *   <li>{@link #heal()}: both directions forward again.
 * </ul>
 *
 * <p>The proxy connects to the member when it accepts a connection; if the member is down the
 * accepted connection is reset, much like a refused connect. The target port is read per
 * connection, so the proxy keeps its own port while the member is restarted. Every connection uses
 * a pair of named daemon threads per direction (blocking sockets); the proxy is meant for tests,
 * with tens of connections, not for throughput.
 */
public final class TcpProxy implements AutoCloseable {

  private static final int CONNECT_TIMEOUT_MILLIS = 1000;
  private static final long CLOSE_WAIT_MILLIS = 2000;

  private final String name;
  private final IntSupplier targetPort;
  private final Function<Socket, String> originOf;
  private final ServerSocket server;
  private final Set<ProxyConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final Object changes = new Object();

  private volatile Fault toMember = Fault.pass();
  private volatile Fault fromMember = Fault.pass();
  private volatile Set<String> blackholedOrigins = Set.of();
  private volatile boolean closed;
  private volatile Thread acceptor;

  private TcpProxy(
      String name, IntSupplier targetPort, Function<Socket, String> originOf, ServerSocket server) {
    this.name = name;
    this.targetPort = targetPort;
    this.originOf = originOf;
    this.server = server;
  }

  /**
   * Opens a proxy forwarding to {@code 127.0.0.1:targetPort}; {@code originOf} names the dialer of
   * an accepted connection (or returns null), so that {@link #blackholeFrom(String)} can cut one
   * dialer's connections.
   */
  static TcpProxy open(String name, IntSupplier targetPort, Function<Socket, String> originOf) {
    ServerSocket server;
    try {
      server = new ServerSocket();
      server.bind(new InetSocketAddress(loopback(), 0), 128);
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not open proxy " + name + " on 127.0.0.1: " + e.getMessage(), e);
    }
    TcpProxy proxy = new TcpProxy(name, targetPort, originOf, server);
    Thread acceptor = new Thread(proxy::acceptLoop, "etcd-proxy " + name + " accept");
    acceptor.setDaemon(true);
    proxy.acceptor = acceptor;
    acceptor.start();
    return proxy;
  }

  static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What this proxy stands in front of, e.g. {@code etcd-0 client}. */
  public String name() {
    return name;
  }

  /** The port the proxy listens on, on 127.0.0.1; it stays the same until the cluster closes. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code 127.0.0.1:PORT} of the proxy. */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** The fault currently applied to {@code direction}. */
  public Fault fault(Direction direction) {
    return Objects.requireNonNull(direction, "direction") == Direction.TO_MEMBER
        ? toMember
        : fromMember;
  }

  /**
   * Sets the fault of one direction, for open and future connections. Lifting a blackhole resets
   * the connections that lost bytes (see the class comment).
   */
  public void set(Direction direction, Fault fault) {
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(fault, "fault");
    if (direction == Direction.TO_MEMBER) {
      toMember = fault;
    } else {
      fromMember = fault;
    }
    changed();
  }

  /** Blackholes both directions: connections are accepted and kept, nothing is forwarded. */
  public void blackhole() {
    blackhole(Direction.TO_MEMBER);
    blackhole(Direction.FROM_MEMBER);
  }

  /** Blackholes one direction. */
  public void blackhole(Direction direction) {
    set(direction, Fault.blackhole());
  }

  /** Delays both directions: a round trip takes at least twice {@code delay} longer. */
  public void delay(Duration delay) {
    delay(Direction.TO_MEMBER, delay);
    delay(Direction.FROM_MEMBER, delay);
  }

  /** Delays one direction by {@code delay} per chunk, order kept. */
  public void delay(Direction direction, Duration delay) {
    set(direction, Fault.delay(delay));
  }

  /** Both directions forward again (and connections that lost bytes in a blackhole are reset). */
  public void heal() {
    heal(Direction.TO_MEMBER);
    heal(Direction.FROM_MEMBER);
  }

  /** One direction forwards again. */
  public void heal(Direction direction) {
    set(direction, Fault.pass());
  }

  /**
   * Closes every open connection with a TCP RST (SO_LINGER 0) on both sides: the dialer sees
   * "connection reset", the member sees its connection fail. The faults stay as they are; new
   * connections are accepted as usual.
   */
  public void reset() {
    for (ProxyConnection c : connections) {
      c.reset();
    }
  }

  /** Number of connections currently open through the proxy. */
  public int openConnections() {
    return connections.size();
  }

  /**
   * Blackholes, both ways, the connections whose dialer {@code originOf} named {@code origin}, open
   * and future ones. Used to cut the connections an isolated member dialed to the others.
   */
  void blackholeFrom(String origin) {
    Set<String> set = new HashSet<>(blackholedOrigins);
    set.add(origin);
    blackholedOrigins = Set.copyOf(set);
    changed();
  }

  /** Lifts {@link #blackholeFrom(String)}. */
  void healFrom(String origin) {
    Set<String> set = new HashSet<>(blackholedOrigins);
    set.remove(origin);
    blackholedOrigins = Set.copyOf(set);
    changed();
  }

  /** The fault that applies to one connection: its origin's blackhole, else the direction's. */
  Fault effectiveFault(Direction direction, String origin) {
    if (origin != null && blackholedOrigins.contains(origin)) {
      return Fault.blackhole();
    }
    return fault(direction);
  }

  /** Waits up to {@code millis} for a change of faults, or the proxy's close. */
  void awaitChange(long millis) throws InterruptedException {
    synchronized (changes) {
      if (!closed) {
        changes.wait(millis);
      }
    }
  }

  boolean isClosed() {
    return closed;
  }

  void remove(ProxyConnection connection) {
    connections.remove(connection);
  }

  private void changed() {
    // Faults were written first; a pipe that drops bytes marks its connection first and reads the
    // fault after, so either this scan sees the mark or the pipe sees the healed fault.
    for (ProxyConnection c : connections) {
      c.resetIfHealedAfterLoss();
    }
    synchronized (changes) {
      changes.notifyAll();
    }
  }

  private void acceptLoop() {
    while (!closed) {
      Socket outside;
      try {
        outside = server.accept();
      } catch (IOException e) {
        if (!closed) {
          System.err.println("etcd-testkit: proxy " + name + " stopped accepting: " + e);
        }
        return;
      }
      long id = accepted.incrementAndGet();
      Thread setup =
          new Thread(() -> connect(outside, id), "etcd-proxy " + name + " #" + id + " connect");
      setup.setDaemon(true);
      setup.start();
    }
  }

  private void connect(Socket outside, long id) {
    Socket member = new Socket();
    try {
      outside.setTcpNoDelay(true);
      member.setTcpNoDelay(true);
      member.connect(
          new InetSocketAddress(loopback(), targetPort.getAsInt()), CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      ProxyConnection.resetQuietly(outside); // like a refused connect: the member is down
      ProxyConnection.resetQuietly(member);
      return;
    }
    String origin = originOf.apply(outside);
    ProxyConnection connection = new ProxyConnection(this, id, outside, member, origin);
    connections.add(connection);
    if (closed) {
      connection.reset();
      return;
    }
    connection.start();
  }

  /** Stops accepting and resets every open connection. Idempotent. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    awaitAcceptorExit();
    reset();
    synchronized (changes) {
      changes.notifyAll();
    }
  }

  /**
   * The JDK closes a listening socket only once the thread blocked in accept() has left it; until
   * then connects still succeed. Waiting makes "closed" mean refused.
   */
  private void awaitAcceptorExit() {
    Thread t = acceptor;
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(CLOSE_WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "TcpProxy["
        + name
        + " "
        + hostPort()
        + ", to-member "
        + toMember
        + ", from-member "
        + fromMember
        + (blackholedOrigins.isEmpty() ? "" : ", blackholed dialers " + blackholedOrigins)
        + ", "
        + connections.size()
        + " connection(s)"
        + (closed ? ", closed" : "")
        + "]";
  }
}
