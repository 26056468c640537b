package dev.registryetcd.spring.registration;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.spring.discovery.EtcdServiceInstance;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application as registered in etcd: a Spring Cloud {@link Registration} backed by the
 * library's {@link Info}. Immutable.
 *
 * <p>{@link #getMetadata()} is the instance's tags plus {@code weight}, as every {@link
 * dev.registryetcd.spring.discovery.EtcdDiscoveryClient} reports it.
 */
public final class EtcdRegistration implements Registration {
  private final Info info;
  private final String host;
  private final int port;
  private final Map<String, String> metadata;

  /**
   * @param info what the registry writes
   * @param registered how resolvers will see it ({@code EtcdRegistry.instanceOf(info)}: the address
   *     after the library's rules, {@code KITEX_IP_TO_REGISTRY} and {@code KITEX_PORT_TO_REGISTRY}
   *     among them), for the host, port and metadata
   */
  public EtcdRegistration(Info info, Instance registered) {
    this.info = Objects.requireNonNull(info, "info");
    if (!(registered.socketAddress() instanceof InetSocketAddress address)) {
      throw new IllegalArgumentException(
          "a Spring registration needs a host and port, not " + registered.address());
    }
    this.host = address.getHostString();
    this.port = address.getPort();
    this.metadata = EtcdServiceInstance.metadataOf(registered);
  }

  /** What the registry writes to etcd. */
  public Info info() {
    return info;
  }

  @Override
  public String getInstanceId() {
    return info.serviceName() + "/" + hostPort();
  }

  @Override
  public String getServiceId() {
    return info.serviceName();
  }

  @Override
  public String getHost() {
    return host;
  }

  @Override
  public int getPort() {
    return port;
  }

  @Override
  public boolean isSecure() {
    return false;
  }

  @Override
  public URI getUri() {
    return ServiceInstance.createUri(this);
  }

  @Override
  public Map<String, String> getMetadata() {
    return metadata;
  }

  private String hostPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + getPort();
  }

  @Override
  public String toString() {
    return "EtcdRegistration{"
        + getInstanceId()
        + ", weight="
        + info.weight()
        + ", tags="
        + info.tags()
        + "}";
  }
}
