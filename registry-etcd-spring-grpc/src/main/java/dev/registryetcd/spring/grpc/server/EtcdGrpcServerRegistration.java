package dev.registryetcd.spring.grpc.server;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.spring.registration.EtcdRegistration;
import dev.registryetcd.spring.registration.EtcdRegistrationException;
import dev.registryetcd.spring.registration.EtcdServiceRegistry;
import io.grpc.Server;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.discovery.event.InstancePreRegisteredEvent;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycleEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * Registers the Spring gRPC server in etcd once it listens, with its real gRPC port, and
 * deregisters it before it stops taking calls.
 *
 * <p>Spring gRPC's {@code GrpcServerLifecycle} publishes {@link GrpcServerStartedEvent} right after
 * the server started and {@link GrpcServerShutdownEvent} right before it shuts down, on the thread
 * that starts or closes the application context. This registers on the first and deregisters on the
 * second, so callers stop finding the instance while it still takes calls, and the calls in flight
 * finish within {@code spring.grpc.server.shutdown-grace-period}.
 *
 * <p>The port registered is that of the server's first TCP listen socket; a server without one (an
 * in-process server) is not registered, nor is a second server of the same application (a warning
 * says so). With fail-fast (the starter's default), a registration etcd does not take stops
 * start-up with an {@link EtcdRegistrationException}, which the starter reports as a failure
 * analysis. Deregistration failures are logged: the registry's close then revokes its lease.
 *
 * <p>Called by Spring's event multicaster only; its state is touched by the threads that start and
 * close the context, one at a time (the methods are synchronized for visibility).
 */
public final class EtcdGrpcServerRegistration
    implements ApplicationListener<GrpcServerLifecycleEvent>, Ordered {
  private static final Logger log = LoggerFactory.getLogger(EtcdGrpcServerRegistration.class);

  private final ApplicationEventPublisher publisher;
  private final EtcdServiceRegistry serviceRegistry;
  private final EtcdRegistration registration;
  private final IntFunction<Info> infoForPort;
  private final Function<Info, Instance> registered;
  private final List<String> endpoints;
  private Server server; // the server registered, or null

  /**
   * @param registration the registration to complete with the gRPC port and register: the
   *     application's {@code Registration} bean, or one of its own when the web server registers
   *     too
   * @param infoForPort what to register for the gRPC server's port
   * @param registered how resolvers will see an info ({@code EtcdRegistry::instanceOf})
   * @param endpoints the etcd endpoints, to name when registering fails (no credentials)
   */
  public EtcdGrpcServerRegistration(
      ApplicationEventPublisher publisher,
      EtcdServiceRegistry serviceRegistry,
      EtcdRegistration registration,
      IntFunction<Info> infoForPort,
      Function<Info, Instance> registered,
      List<String> endpoints) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.serviceRegistry = Objects.requireNonNull(serviceRegistry, "serviceRegistry");
    this.registration = Objects.requireNonNull(registration, "registration");
    this.infoForPort = Objects.requireNonNull(infoForPort, "infoForPort");
    this.registered = Objects.requireNonNull(registered, "registered");
    this.endpoints = List.copyOf(endpoints);
  }

  @Override
  public void onApplicationEvent(GrpcServerLifecycleEvent event) {
    if (event instanceof GrpcServerStartedEvent) {
      register(event.getServer());
    } else if (event instanceof GrpcServerShutdownEvent) {
      deregister(event.getServer());
    }
  }

  /** First: the server leaves etcd before any other listener hears that it stops. */
  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }

  private synchronized void register(Server started) {
    Integer port = tcpPort(started);
    if (port == null) {
      log.debug("Not registering gRPC server {} in etcd: it has no TCP listen socket", started);
      return;
    }
    if (server != null) {
      log.warn(
          "Not registering a second gRPC server (port {}) in etcd: {} is registered already",
          port,
          registration.getInstanceId());
      return;
    }
    if (!registration.isBound()) {
      Info info = infoForPort.apply(port);
      registration.bind(info, registered.apply(info));
    }
    publisher.publishEvent(new InstancePreRegisteredEvent(this, registration));
    try {
      serviceRegistry.register(registration);
    } catch (RegistryException e) {
      throw new EtcdRegistrationException(registration.getInstanceId(), endpoints, e);
    }
    server = started;
    log.info("Registered gRPC server {} in etcd", registration.getInstanceId());
    publisher.publishEvent(new InstanceRegisteredEvent<>(this, registration));
  }

  private synchronized void deregister(Server stopping) {
    if (server == null || server != stopping) {
      return;
    }
    server = null;
    try {
      serviceRegistry.deregister(registration);
    } catch (RegistryException e) {
      log.warn(
          "Deregistering gRPC server {} failed ({}); its key goes when the registry revokes its lease",
          registration.getInstanceId(),
          e.getMessage());
    }
  }

  /** What this registers, complete once the gRPC server listens. */
  public EtcdRegistration registration() {
    return registration;
  }

  /** Whether the gRPC server is registered now. */
  public synchronized boolean isRegistered() {
    return server != null;
  }

  private static Integer tcpPort(Server server) {
    for (SocketAddress socket : server.getListenSockets()) {
      if (socket instanceof InetSocketAddress inet && inet.getPort() > 0) {
        return inet.getPort();
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "EtcdGrpcServerRegistration{" + registration + "}";
  }
}
