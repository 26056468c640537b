package dev.registryetcd.grpc;

import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.Registry;
import io.grpc.Server;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A started {@link Server} registered in a {@link Registry} (an {@link
 * dev.registryetcd.etcd.EtcdRegistry}, for etcd) under a service name, one registration per listen
 * socket; {@link #close()} takes it out of service in the right order.
 *
 * <pre>{@code
 * Server server = NettyServerBuilder.forPort(8888).addService(echo).build().start();
 * try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(List.of("127.0.0.1:2379"));
 *      GrpcRegistration registration = GrpcRegistration.register(server, registry, "echo", 10, Map.of())) {
 *   server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>A wildcard listen address ({@code 0.0.0.0}, {@code ::}) is registered as the machine's first
 * non-loopback IPv4 address, by the registry, which also applies {@code KITEX_IP_TO_REGISTRY} and
 * {@code KITEX_PORT_TO_REGISTRY}.
 *
 * <p>{@link #close()} deregisters first, so clients stop picking the server while it still takes
 * calls, then shuts the server down gracefully (in-flight calls finish, within {@link
 * Builder#shutdownTimeout}). If the server terminates some other way ({@code shutdown()} called
 * elsewhere, or a fatal error), a daemon thread of the registration that waits on {@link
 * Server#awaitTermination()} deregisters it then. Caveat: that is only once the server has
 * <em>terminated</em>, after its last call ended; until then clients may still pick it and, as it
 * refuses new calls, gRPC retries them elsewhere. Prefer {@link #close()}. The registry stays the
 * caller's: it is not closed here.
 */
public final class GrpcRegistration implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GrpcRegistration.class);

  private final Server server;
  private final Registry registry;
  private final List<Info> infos;
  private final Duration shutdownTimeout;
  private final AtomicBoolean deregistered = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread watcher;

  private GrpcRegistration(Builder builder, List<Info> infos) {
    this.server = builder.server;
    this.registry = builder.registry;
    this.infos = List.copyOf(infos);
    this.shutdownTimeout = builder.shutdownTimeout;
    this.watcher =
        new Thread(
            this::deregisterOnTermination, "registry-etcd-grpc-watch-" + builder.serviceName);
    this.watcher.setDaemon(true);
  }

  /**
   * Registers every listen socket of the started {@code server} as an instance of {@code
   * serviceName} with {@code weight} and {@code tags} ({@code null} for none).
   *
   * @throws IllegalStateException when the server is not started or already shut down
   * @throws dev.registryetcd.registry.InvalidInfoException naming the field, for a bad service name
   *     or tags; nothing was written
   * @throws IllegalArgumentException for a server without a TCP or Unix-domain listen socket
   * @throws dev.registryetcd.registry.RegistryException when the registry does not accept it; what
   *     was registered by this call is withdrawn again
   */
  public static GrpcRegistration register(
      Server server, Registry registry, String serviceName, long weight, Map<String, String> tags) {
    return builder(server, registry).serviceName(serviceName).weight(weight).tags(tags).register();
  }

  /** A builder for the less common settings (shutdown timeout). */
  public static Builder builder(Server server, Registry registry) {
    return new Builder(server, registry);
  }

  /**
   * What was registered, one {@link Info} per listen socket (with the listen address, before any
   * wildcard replacement).
   */
  public List<Info> infos() {
    return infos;
  }

  /** The registered server. */
  public Server server() {
    return server;
  }

  /**
   * Deregisters every instance, then shuts the server down gracefully, waits up to the shutdown
   * timeout for its calls to finish and then cancels the rest ({@code shutdownNow}). A failure to
   * deregister is logged and does not keep the server up (the registry's lease ends it later).
   * Blocks until the server terminated or the timeout passed. Idempotent, never throws; if the
   * thread is interrupted it shuts the server down at once and keeps the interrupt.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    deregister("closed");
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        log.warn(
            "gRPC server of {} still had calls after {}; cancelling them",
            infos.get(0).serviceName(),
            shutdownTimeout);
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    watcher.interrupt();
  }

  private void start() {
    watcher.start();
  }

  private void deregisterOnTermination() {
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      return; // closed: close() deregistered
    }
    if (!closed.get()) {
      deregister("the server terminated");
    }
  }

  private void deregister(String why) {
    if (!deregistered.compareAndSet(false, true)) {
      return;
    }
    for (Info info : infos) {
      try {
        registry.deregister(info);
      } catch (RuntimeException e) {
        log.warn(
            "Could not deregister {} at {} ({}): {}; it stays visible until the registry's lease ends",
            info.serviceName(),
            info.address(),
            why,
            e.toString());
      }
    }
  }

  @Override
  public String toString() {
    return "GrpcRegistration{"
        + infos.get(0).serviceName()
        + " at "
        + infos.stream().map(Info::address).toList()
        + (closed.get() ? ", closed" : "")
        + "}";
  }

  /** Builds and registers a {@link GrpcRegistration}. Not thread-safe. */
  public static final class Builder {
    private final Server server;
    private final Registry registry;

    /**
     * What every listen socket registers, but for its address: {@link Info} holds the defaults and
     * the rules (its refusals name the field), so they are not repeated here.
     */
    private final Info.Builder info = Info.builder();

    /** The service name as given, for messages about sockets that are not registered. */
    private String serviceName;

    private Duration shutdownTimeout = Duration.ofSeconds(30);

    private Builder(Server server, Registry registry) {
      this.server = Objects.requireNonNull(server, "server");
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The service's name: non-empty, without {@code '/'}. Required. */
    public Builder serviceName(String serviceName) {
      this.serviceName = serviceName;
      info.serviceName(serviceName);
      return this;
    }

    /**
     * The instances' weight (default {@value Info#DEFAULT_WEIGHT}), Go's 64-bit {@code int};
     * resolvers read {@code <= 0} as their default.
     */
    public Builder weight(long weight) {
      info.weight(weight);
      return this;
    }

    /** The instances' tags; {@code null} (the default) registers none. */
    public Builder tags(Map<String, String> tags) {
      info.tags(tags);
      return this;
    }

    /** Adds one tag. */
    public Builder tag(String key, String value) {
      info.tag(key, value);
      return this;
    }

    /**
     * How long {@link GrpcRegistration#close()} lets in-flight calls finish before cancelling them
     * (default 30 s).
     */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
        throw new IllegalArgumentException(
            "shutdownTimeout must be zero or positive, not " + shutdownTimeout);
      }
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /**
     * Registers the server's listen sockets and starts watching for its termination.
     *
     * @throws IllegalStateException when the server is not started or already shut down
     * @throws dev.registryetcd.registry.InvalidInfoException naming the field, for a bad service
     *     name or tags; nothing was written
     * @throws IllegalArgumentException when the server has no listen socket to register
     * @throws dev.registryetcd.registry.RegistryException when the registry does not accept it;
     *     what this call registered is withdrawn again
     */
    public GrpcRegistration register() {
      if (server.isShutdown()) {
        throw new IllegalStateException(
            "the gRPC server is shut down: there is nothing to register");
      }
      List<? extends SocketAddress> sockets;
      try {
        sockets = server.getListenSockets();
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "register a started gRPC server: call server.start() first (" + e.getMessage() + ")",
            e);
      }
      List<Info> infos = new ArrayList<>();
      for (SocketAddress socket : sockets) {
        if (socket instanceof InetSocketAddress || socket instanceof UnixDomainSocketAddress) {
          infos.add(info.address(socket).build());
        } else {
          log.warn(
              "Not registering listen socket {} of {}: only TCP and Unix-domain sockets can be registered",
              socket,
              serviceName);
        }
      }
      if (infos.isEmpty()) {
        throw new IllegalArgumentException(
            "the gRPC server has no TCP or Unix-domain listen socket to register "
                + "as "
                + serviceName
                + " (listen sockets: "
                + sockets
                + ")");
      }
      List<Info> done = new ArrayList<>();
      try {
        for (Info info : infos) {
          registry.register(info);
          done.add(info);
        }
      } catch (RuntimeException e) {
        for (Info info : done) {
          try {
            registry.deregister(info);
          } catch (RuntimeException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw e;
      }
      GrpcRegistration registration = new GrpcRegistration(this, infos);
      registration.start();
      return registration;
    }
  }
}
