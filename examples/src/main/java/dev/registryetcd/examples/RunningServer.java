package dev.registryetcd.examples;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.grpc.GrpcRegistration;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Echo server of the examples, started and registered in etcd. {@link #close()} takes it out of
 * service in order: deregister, stop the server gracefully, close the registry (which revokes its
 * lease). Idempotent, so a shutdown hook and a caller may both call it (the later call returns at
 * once; {@link #awaitClosed()} waits for the first to finish).
 */
public final class RunningServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunningServer.class);

  private final EtcdRegistry registry;
  private final GrpcRegistration registration;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CountDownLatch closed = new CountDownLatch(1);

  RunningServer(EtcdRegistry registry, GrpcRegistration registration) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.registration = Objects.requireNonNull(registration, "registration");
  }

  /** The socket the server listens on: the registered address, unless it is a wildcard. */
  public InetSocketAddress listenAddress() {
    return (InetSocketAddress) registration.server().getListenSockets().get(0);
  }

  /**
   * {@link #listenAddress()} as {@code host:port}, {@code *:port} for all interfaces, for log
   * lines.
   */
  String hostPort() {
    InetSocketAddress address = listenAddress();
    String host =
        address.getAddress().isAnyLocalAddress() ? "*" : address.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /** The registry the server is registered in (for its lease, in tests). */
  public EtcdRegistry registry() {
    return registry;
  }

  /**
   * Closes this server when the JVM exits (Ctrl-C, SIGTERM), so that it leaves etcd before it
   * stops.
   */
  RunningServer closeOnExit(String name) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("Shutting down: leaving etcd, then stopping the server");
                  close();
                },
                name + "-shutdown"));
    return this;
  }

  /**
   * Blocks until {@link #close()} has finished, the registry's lease included: a {@code main} that
   * returns only then lets a shutdown hook finish its work even under {@code mvn exec:java}, which
   * unloads the program's classes as soon as {@code main} returns.
   */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      registration.close(); // deregisters first: clients stop picking it while it still answers
    } finally {
      registry.close();
      closed.countDown();
    }
  }

  @Override
  public String toString() {
    return "RunningServer{" + registration + "}";
  }
}
