package dev.registryetcd.spring.registration;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.discovery.event.InstancePreRegisteredEvent;
import org.springframework.cloud.client.discovery.event.InstanceRegisteredEvent;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistration;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.ClassUtils;

/**
 * Registers this application once its web server takes requests, and deregisters it before the web
 * server stops taking them.
 *
 * <p>Both follow from the {@link SmartLifecycle} phase {@link #PHASE}: Spring starts phases in
 * ascending order and stops them in descending order, and Boot's web server starts at {@code
 * DEFAULT_PHASE - 2048} and shuts down gracefully at {@code DEFAULT_PHASE - 1024}. So this starts
 * after the web server has its port, and stops first: callers stop finding the instance while it
 * still answers, and the requests they have in flight finish. (Spring Cloud's {@code
 * AbstractAutoServiceRegistration} deregisters in {@code @PreDestroy}, after the web server is
 * gone.)
 *
 * <p>The port is {@code registry.etcd.instance.port} when set, else the web server's real port (a
 * random port too); without either nothing registers. It completes the application's {@link
 * EtcdRegistration} bean with that port, then registers it. When etcd does not take it (fail-fast),
 * start-up fails with an {@link EtcdRegistrationException} naming the endpoints. Deregistration
 * failures are logged, not thrown: the registry's close then revokes its lease, which removes the
 * key anyway.
 */
public final class EtcdAutoServiceRegistration implements AutoServiceRegistration, SmartLifecycle {
  /**
   * Between graceful shutdown ({@code DEFAULT_PHASE - 1024}) and the last phase: stops before it.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

  private static final Logger log = LoggerFactory.getLogger(EtcdAutoServiceRegistration.class);
  private static final boolean WEB_SERVER_PRESENT =
      ClassUtils.isPresent(
          WebServerPort.CONTEXT_CLASS, EtcdAutoServiceRegistration.class.getClassLoader());

  private final ApplicationContext context;
  private final EtcdServiceRegistry serviceRegistry;
  private final EtcdRegistration own;
  private final IntFunction<Info> infoForPort;
  private final Function<Info, Instance> registered;
  private final Integer configuredPort;
  private final List<String> endpoints;
  private volatile EtcdRegistration registration;
  private volatile boolean running;

  /**
   * @param own the application's registration bean, awaiting its port
   * @param infoForPort what to register for the port this application listens on
   * @param registered how resolvers will see an info ({@code EtcdRegistry::instanceOf})
   * @param configuredPort the port to register instead of the web server's, or null
   * @param endpoints the etcd endpoints, to name when registering fails (no credentials)
   */
  public EtcdAutoServiceRegistration(
      ApplicationContext context,
      EtcdServiceRegistry serviceRegistry,
      EtcdRegistration own,
      IntFunction<Info> infoForPort,
      Function<Info, Instance> registered,
      Integer configuredPort,
      List<String> endpoints) {
    this.context = Objects.requireNonNull(context, "context");
    this.serviceRegistry = Objects.requireNonNull(serviceRegistry, "serviceRegistry");
    this.own = Objects.requireNonNull(own, "own");
    this.infoForPort = Objects.requireNonNull(infoForPort, "infoForPort");
    this.registered = Objects.requireNonNull(registered, "registered");
    this.configuredPort = configuredPort;
    this.endpoints = List.copyOf(endpoints);
  }

  @Override
  public void start() {
    if (running) {
      return;
    }
    Integer port = configuredPort != null ? configuredPort : webServerPort(context);
    if (port == null || port <= 0) {
      log.info(
          "Not registering in etcd: no web server port (set registry.etcd.instance.port to register anyway)");
      running = true;
      return;
    }
    if (!own.isBound()) {
      Info info = infoForPort.apply(port);
      own.bind(info, registered.apply(info));
    }
    context.publishEvent(new InstancePreRegisteredEvent(this, own));
    try {
      serviceRegistry.register(own);
    } catch (RegistryException e) {
      throw new EtcdRegistrationException(own.getInstanceId(), endpoints, e);
    }
    registration = own;
    running = true;
    context.publishEvent(new InstanceRegisteredEvent<>(this, own));
  }

  @Override
  public void stop() {
    running = false;
    EtcdRegistration held = registration;
    registration = null;
    if (held == null) {
      return;
    }
    try {
      serviceRegistry.deregister(held);
    } catch (RegistryException e) {
      log.warn(
          "Deregistering {} failed ({}); its key goes when the registry revokes its lease",
          held.getInstanceId(),
          e.getMessage());
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** What this application registered, or null when it is not registered. */
  public EtcdRegistration registration() {
    return registration;
  }

  private static Integer webServerPort(ApplicationContext context) {
    return WEB_SERVER_PRESENT ? WebServerPort.of(context) : null;
  }

  /**
   * What to register for {@code port}: {@code host} when given, else the wildcard address, for
   * which the library registers {@code KITEX_IP_TO_REGISTRY} or the first non-loopback IPv4
   * address.
   */
  public static Info infoOf(
      String serviceName, String host, int port, long weight, Map<String, String> tags) {
    return Info.builder()
        .serviceName(serviceName)
        .address(
            host == null || host.isEmpty()
                ? new InetSocketAddress("0.0.0.0", port)
                : InetSocketAddress.createUnresolved(host, port))
        .weight(weight)
        .tags(tags.isEmpty() ? null : tags)
        .build();
  }
}
