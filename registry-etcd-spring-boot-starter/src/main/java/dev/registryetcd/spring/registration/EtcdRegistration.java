package dev.registryetcd.spring.registration;

import dev.registryetcd.registry.Info;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application as registered in etcd: a Spring Cloud {@link Registration} backed by the
 * library's {@link Info}. Immutable.
 *
 * <p>{@link #getMetadata()} is the instance's tags plus {@code weight}, as every
 * {@link dev.registryetcd.spring.discovery.EtcdDiscoveryClient} reports it.
 */
public final class EtcdRegistration implements Registration {
  private final Info info;
  private final String host;
  private final Map<String, String> metadata;

  /**
   * @param info what the registry writes
   * @param host the host etcd holds for it (after the library's address rules), for
   *     {@link #getHost()}; {@code info}'s own host when null
   */
  public EtcdRegistration(Info info, String host) {
    this.info = Objects.requireNonNull(info, "info");
    if (!(info.address() instanceof InetSocketAddress address)) {
      throw new IllegalArgumentException("a Spring registration needs a host and port, not " + info.address());
    }
    this.host = host != null ? host : address.getHostString();
    Map<String, String> meta = new LinkedHashMap<>();
    if (info.tags() != null) {
      meta.putAll(info.tags());
    }
    meta.put("weight", Integer.toString(info.weight()));
    this.metadata = Collections.unmodifiableMap(meta);
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
    return ((InetSocketAddress) info.address()).getPort();
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
    return "EtcdRegistration{" + getInstanceId() + ", weight=" + info.weight() + ", tags=" + info.tags() + "}";
  }
}
