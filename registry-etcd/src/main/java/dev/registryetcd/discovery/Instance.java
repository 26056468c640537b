package dev.registryetcd.discovery;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of a service: the Java form of Kitex's {@code discovery.Instance}, and the value the
 * Go extension keeps in etcd ({@code instanceInfo}, read and written by {@code
 * dev.registryetcd.codec.InstanceCodec}). Immutable.
 *
 * <p>The weight is Go's {@code int}, 64 bits: a Go service registered with weight {@code 1 << 40}
 * keeps it, and it balances 512:1 against one with {@code 2^31-1}. Only an API that takes an {@code
 * int} clamps it (Spring Cloud LoadBalancer's {@code weight} metadata), and says so.
 *
 * <p>{@link #tags()} is never null. Go tells a nil map ({@code "tags":null}) from an empty one
 * ({@code "tags":{}}) only in the bytes it writes; so does this record: an instance made with
 * {@code null} tags has empty {@link #tags()} and equals one made with an empty map, and {@link
 * #hasNullTags()} tells the codec to write {@code null}.
 *
 * @param network {@code tcp}, {@code unix}, ...
 * @param address {@code host:port} ({@code [::1]:8888} for IPv6) or a socket path, as registered
 * @param weight the weight as registered; a resolver hands out instances whose weight is always
 *     {@code > 0} (a registered weight {@code <= 0} becomes its default weight, see {@link
 *     #withDefaultWeight})
 * @param tags the instance's tags, {@code null} (Go's nil map) for none; an unmodifiable copy
 */
public record Instance(String network, String address, long weight, Map<String, String> tags) {

  /** The tags of an instance made with {@code null}: empty, and told apart by identity. */
  private static final Map<String, String> NULL_TAGS = Collections.unmodifiableMap(new HashMap<>());

  /**
   * The tags of every instance made with an empty map: one map for all of them, as a resolver holds
   * thousands of instances and most carry no tags.
   */
  private static final Map<String, String> EMPTY_TAGS =
      Collections.unmodifiableMap(new LinkedHashMap<>());

  /**
   * @throws NullPointerException when {@code network}, {@code address}, a tag key or value is null
   */
  public Instance {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(address, "address");
    if (tags == null || tags == NULL_TAGS) {
      tags = NULL_TAGS;
    } else if (tags.isEmpty()) {
      tags = EMPTY_TAGS;
    } else {
      Map<String, String> copy = new LinkedHashMap<>();
      tags.forEach(
          (key, value) ->
              copy.put(
                  Objects.requireNonNull(key, "tag key"),
                  Objects.requireNonNull(value, () -> "value of tag " + key)));
      tags = Collections.unmodifiableMap(copy);
    }
  }

  /**
   * Whether the instance was made with {@code null} tags (Go's nil map, written {@code
   * "tags":null}) rather than a map, even an empty one (written {@code "tags":{}}). {@link #tags()}
   * is empty either way, and {@link #equals} does not tell them apart.
   */
  public boolean hasNullTags() {
    return tags == NULL_TAGS;
  }

  /** The value of tag {@code key}, or {@code null} when the instance has no such tag. */
  public String tag(String key) {
    return tags.get(key);
  }

  /**
   * This instance as a resolver hands it out, as Go's resolver does: itself when its weight is
   * {@code > 0}, else a copy with {@code defaultWeight}.
   */
  public Instance withDefaultWeight(long defaultWeight) {
    return weight > 0 ? this : new Instance(network, address, defaultWeight, tags);
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
