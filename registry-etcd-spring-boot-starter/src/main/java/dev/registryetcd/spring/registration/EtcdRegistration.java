package dev.registryetcd.spring.registration;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.spring.discovery.EtcdServiceInstance;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application as registered in etcd: a Spring Cloud {@link Registration} backed by the
 * library's {@link Info}.
 *
 * <p>The application's own registration is a bean before its web server has a port (Spring Cloud's
 * {@code serviceregistry} endpoint and others inject it): it is made {@link #awaitingPort awaiting
 * its port}, and {@link #bind bound} once, when the port is known. Until then it has the service id
 * and no host (port 0, URI null). Every other registration is bound when made, and immutable.
 *
 * <p>{@link #getMetadata()} is the instance's tags plus {@code weight}, as every {@link
 * dev.registryetcd.spring.discovery.EtcdDiscoveryClient} reports it.
 */
public final class EtcdRegistration implements Registration {
  private final String serviceId;
  private final String instanceId;
  private volatile Bound bound;

  /** What is registered, once known. */
  private record Bound(
      Info info, String host, int port, Map<String, String> metadata, boolean secure) {}

  /**
   * @param info what the registry writes
   * @param registered how resolvers will see it ({@code EtcdRegistry.instanceOf(info)}: the address
   *     after the library's rules, {@code KITEX_IP_TO_REGISTRY} and {@code KITEX_PORT_TO_REGISTRY}
   *     among them), for the host, port and metadata
   */
  public EtcdRegistration(Info info, Instance registered) {
    this(info.serviceName(), null);
    bind(info, registered);
  }

  private EtcdRegistration(String serviceId, String instanceId) {
    this.serviceId = serviceId;
    this.instanceId = instanceId == null || instanceId.isBlank() ? null : instanceId;
  }

  /**
   * The registration of {@code serviceId}, awaiting its port: {@link #bind} completes it.
   *
   * @param serviceId the service, or null when not known before binding
   * @param instanceId the instance id to report, or null for {@code service/host:port}
   */
  public static EtcdRegistration awaitingPort(String serviceId, String instanceId) {
    return new EtcdRegistration(serviceId, instanceId);
  }

  /**
   * Completes this registration with what is registered, once.
   *
   * @throws IllegalStateException when it is bound already
   * @throws IllegalArgumentException when {@code info} is of another service, or {@code registered}
   *     has no host and port
   */
  public synchronized void bind(Info info, Instance registered) {
    if (bound != null) {
      throw new IllegalStateException("registration " + getInstanceId() + " is bound already");
    }
    if (serviceId != null && !info.serviceName().equals(serviceId)) {
      throw new IllegalArgumentException(
          "registration of " + serviceId + " cannot register service " + info.serviceName());
    }
    if (!(registered.socketAddress() instanceof InetSocketAddress address)) {
      throw new IllegalArgumentException(
          "a Spring registration needs a host and port, not " + registered.address());
    }
    bound =
        new Bound(
            info,
            address.getHostString(),
            address.getPort(),
            EtcdServiceInstance.metadataOf(registered),
            EtcdServiceInstance.isSecure(registered));
  }

  /** Whether the port is known, so that this can be registered. */
  public boolean isBound() {
    return bound != null;
  }

  /**
   * What the registry writes to etcd.
   *
   * @throws IllegalStateException while the registration awaits its port
   */
  public Info info() {
    Bound now = bound;
    if (now == null) {
      throw new IllegalStateException(
          "the registration of " + serviceId + " is not complete yet: it has no port yet");
    }
    return now.info();
  }

  @Override
  public String getInstanceId() {
    if (instanceId != null) {
      return instanceId;
    }
    Bound now = bound;
    return now == null ? serviceId : now.info().serviceName() + "/" + hostPort(now);
  }

  /** The service; null only before binding when it was not known. */
  @Override
  public String getServiceId() {
    Bound now = bound;
    return now == null ? serviceId : now.info().serviceName();
  }

  /** The registered host, or null while the registration awaits its port. */
  @Override
  public String getHost() {
    Bound now = bound;
    return now == null ? null : now.host();
  }

  /** The registered port, or 0 while the registration awaits its port. */
  @Override
  public int getPort() {
    Bound now = bound;
    return now == null ? 0 : now.port();
  }

  @Override
  public boolean isSecure() {
    Bound now = bound;
    return now != null && now.secure();
  }

  /** {@code http(s)://host:port}, or null while the registration awaits its port. */
  @Override
  public URI getUri() {
    return bound == null ? null : EtcdServiceInstance.uriOf(this);
  }

  @Override
  public Map<String, String> getMetadata() {
    Bound now = bound;
    return now == null ? Map.of() : now.metadata();
  }

  private static String hostPort(Bound bound) {
    String host = bound.host();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + bound.port();
  }

  @Override
  public String toString() {
    Bound now = bound;
    return now == null
        ? "EtcdRegistration{" + getInstanceId() + ", awaiting its port}"
        : "EtcdRegistration{"
            + getInstanceId()
            + ", weight="
            + now.info().weight()
            + ", tags="
            + now.info().tags()
            + "}";
  }
}
