package dev.registryetcd.testkit;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One connection through a {@link TcpProxy}: the socket the dialer connected to ({@code outside})
 * and the proxy's own socket to the member, joined by one {@link ProxyPipe} per direction.
 */
final class ProxyConnection {

  private final TcpProxy proxy;
  private final long id;
  private final Socket outside;
  private final Socket member;
  private final String origin;
  private final ProxyPipe toMember;
  private final ProxyPipe fromMember;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicInteger finishedPipes = new AtomicInteger();

  /** {@code origin} names the dialer (another member), or is null when unknown. */
  ProxyConnection(TcpProxy proxy, long id, Socket outside, Socket member, String origin) {
    this.proxy = proxy;
    this.id = id;
    this.outside = outside;
    this.member = member;
    this.origin = origin;
    this.toMember = new ProxyPipe(this, Direction.TO_MEMBER, outside, member);
    this.fromMember = new ProxyPipe(this, Direction.FROM_MEMBER, member, outside);
  }

  void start() {
    toMember.start();
    fromMember.start();
  }

  /** The fault this connection obeys in {@code direction} right now. */
  Fault fault(Direction direction) {
    return proxy.effectiveFault(direction, origin);
  }

  boolean isBlackholed(Direction direction) {
    return fault(direction) instanceof Fault.Blackhole;
  }

  /**
   * A stream that lost bytes in a blackhole must not carry on as if nothing happened: once it is no
   * longer blackholed where it lost them, it is reset.
   */
  void resetIfHealedAfterLoss() {
    if ((toMember.lostBytes() && !isBlackholed(Direction.TO_MEMBER))
        || (fromMember.lostBytes() && !isBlackholed(Direction.FROM_MEMBER))) {
      reset();
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  TcpProxy proxy() {
    return proxy;
  }

  String threadName(Direction direction, String role) {
    return "etcd-proxy "
        + proxy.name()
        + " #"
        + id
        + (origin != null ? " from " + origin : "")
        + " "
        + direction.label()
        + " "
        + role;
  }

  /** Called by a pipe that delivered its end of stream; when both did, the sockets are closed. */
  void pipeFinished() {
    if (finishedPipes.incrementAndGet() == 2 && closed.compareAndSet(false, true)) {
      closeQuietly(outside);
      closeQuietly(member);
      proxy.remove(this);
    }
  }

  /** Closes both sockets with a TCP RST and stops the pipes. Idempotent. */
  void reset() {
    if (closed.compareAndSet(false, true)) {
      resetQuietly(outside);
      resetQuietly(member);
      toMember.stop();
      fromMember.stop();
      proxy.remove(this);
    }
  }

  /** SO_LINGER 0 makes close() send a RST instead of a FIN. */
  static void resetQuietly(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // already closed: nothing to reset
    }
    closeQuietly(socket);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
