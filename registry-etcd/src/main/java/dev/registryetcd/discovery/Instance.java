package dev.registryetcd.discovery;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service as a client sees it: the Java form of Kitex's {@code
 * discovery.Instance}. Immutable.
 *
 * @param network {@code tcp}, {@code unix}, ...
 * @param address {@code host:port} ({@code [::1]:8888} for IPv6) or a socket path, as registered
 * @param weight the weight to balance by, always {@code > 0} when made by a resolver (a registered
 *     weight {@code <= 0} becomes the resolver's default weight)
 * @param tags the instance's tags, or {@code null} when it registered none; an unmodifiable copy
 */
public record Instance(String network, String address, int weight, Map<String, String> tags) {

  public Instance {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(address, "address");
    tags = tags == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
  }

  /** The value of tag {@code key}, or {@code null} when the instance has no such tag. */
  public String tag(String key) {
    return tags == null ? null : tags.get(key);
  }

  /**
   * The address as a {@link SocketAddress} to connect to: an unresolved {@link InetSocketAddress}
   * for {@code host:port}, a {@link UnixDomainSocketAddress} for {@code unix}.
   *
   * @throws IllegalArgumentException when the registered address is not {@code host:port}
   */
  public SocketAddress socketAddress() {
    if (network.equals("unix")) {
      return UnixDomainSocketAddress.of(address);
    }
    int colon = address.lastIndexOf(':');
    if (colon <= 0 || colon == address.length() - 1) {
      throw new IllegalArgumentException(
          "address " + address + " of network " + network + " is not host:port");
    }
    String host = address.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(address.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("address " + address + " has no numeric port", e);
    }
    return InetSocketAddress.createUnresolved(host, port);
  }
}
