package dev.registryetcd.spring.discovery;

import dev.registryetcd.discovery.Instance;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.cloud.client.ServiceInstance;

/**
 * One etcd instance as Spring Cloud sees it. Immutable.
 *
 * <p>Metadata is the instance's tags plus {@code weight} (the resolver's weight, always {@code >
 * 0}), which Spring Cloud LoadBalancer's weighted supplier reads as it is, with {@code
 * Integer.parseInt}: a Go weight past {@code 2^31-1} (Go's {@code int} is 64 bits) is written as
 * {@code 2147483647} there, where the gRPC policy would use it whole. An instance is secure (an
 * {@code https} URI) when its tag {@value #SECURE} is {@code true}: the Kitex value has no field
 * for it, and {@code registry.etcd.instance.secure=true} registers that tag.
 */
public final class EtcdServiceInstance implements ServiceInstance {
  /**
   * The metadata key of the weight, as Spring Cloud LoadBalancer's weighted supplier expects it.
   */
  public static final String WEIGHT = "weight";

  /** The tag that says an instance serves HTTPS, when {@code true}. */
  public static final String SECURE = "secure";

  private final String serviceId;
  private final Instance instance;
  private final String host;
  private final int port;
  private final Map<String, String> metadata;

  /**
   * @throws IllegalArgumentException when {@code instance} is not {@code host:port} (for example a
   *     Unix domain socket)
   */
  public EtcdServiceInstance(String serviceId, Instance instance) {
    this.serviceId = Objects.requireNonNull(serviceId, "serviceId");
    this.instance = Objects.requireNonNull(instance, "instance");
    if (!(instance.socketAddress() instanceof InetSocketAddress address)) {
      throw new IllegalArgumentException(
          "instance "
              + instance.address()
              + " of network "
              + instance.network()
              + " has no host and port");
    }
    this.host = address.getHostString();
    this.port = address.getPort();
    this.metadata = metadataOf(instance);
  }

  /**
   * What Spring Cloud sees as an instance's metadata: its tags, and its weight under {@value
   * #WEIGHT}.
   */
  public static Map<String, String> metadataOf(Instance instance) {
    Map<String, String> meta = new LinkedHashMap<>();
    if (instance.tags() != null) {
      meta.putAll(instance.tags());
    }
    // Spring Cloud LoadBalancer reads this with Integer.parseInt, which a longer number fails.
    meta.put(WEIGHT, Long.toString(Math.min(instance.weight(), Integer.MAX_VALUE)));
    return Collections.unmodifiableMap(meta);
  }

  /** The library's instance this stands for. */
  public Instance instance() {
    return instance;
  }

  @Override
  public String getInstanceId() {
    return serviceId + "/" + instance.address();
  }

  @Override
  public String getServiceId() {
    return serviceId;
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
    return isSecure(instance);
  }

  /** Whether {@code instance} has the tag {@value #SECURE} set to {@code true}. */
  public static boolean isSecure(Instance instance) {
    return "true".equalsIgnoreCase(instance.tag(SECURE));
  }

  @Override
  public URI getUri() {
    return uriOf(this);
  }

  /**
   * {@code http(s)://host:port} of {@code instance}, the port 443 or 80 when it has none, as Spring
   * Cloud's {@code ServiceInstance.createUri} builds it (which Spring Cloud 2025.0, of Boot 3,
   * lacks).
   */
  public static URI uriOf(ServiceInstance instance) {
    int port = instance.getPort();
    if (port <= 0) {
      port = instance.isSecure() ? 443 : 80;
    }
    return URI.create(
        (instance.isSecure() ? "https" : "http") + "://" + instance.getHost() + ":" + port);
  }

  @Override
  public Map<String, String> getMetadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EtcdServiceInstance other
        && serviceId.equals(other.serviceId)
        && instance.equals(other.instance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(serviceId, instance);
  }

  @Override
  public String toString() {
    return "EtcdServiceInstance{" + getInstanceId() + ", metadata=" + metadata + "}";
  }
}
