package dev.registryetcd.registry;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a service registers about one of its instances: the Java form of Kitex's {@code
 * registry.Info}. Immutable; build one with {@link #builder()}.
 *
 * <pre>{@code
 * Info info = Info.builder()
 *     .serviceName("echo")
 *     .address(new InetSocketAddress("10.0.0.7", 8888))
 *     .weight(20)
 *     .tag("zone", "b")
 *     .build();
 * }</pre>
 *
 * @param serviceName the service's name: non-empty, without {@code '/'}
 * @param address where the instance listens: an {@link InetSocketAddress} (TCP) or a {@link
 *     UnixDomainSocketAddress}; a wildcard host ({@code 0.0.0.0}, {@code ::}) is replaced by the
 *     machine's first non-loopback IPv4 address when registered
 * @param payloadCodec the payload codec the instance speaks (Kitex's {@code PayloadCodec}), or
 *     empty; not written to etcd, as in Go
 * @param weight the instance's share of traffic, Go's 64-bit {@code int} (any {@code long}, written
 *     to etcd as it is); resolvers read {@code <= 0} as their default weight
 * @param startTime when the instance started
 * @param warmUp how long the instance warms up after {@code startTime}; not written to etcd, as in
 *     Go
 * @param tags string tags, or {@code null} for none (written as {@code "tags":null}, as Go writes a
 *     nil map); an unmodifiable copy
 * @param skipListenAddr Kitex's hint to frameworks that {@code address} is final and must not be
 *     replaced by the listen address; registries register {@code address} either way
 */
public record Info(
    String serviceName,
    SocketAddress address,
    String payloadCodec,
    long weight,
    Instant startTime,
    Duration warmUp,
    Map<String, String> tags,
    boolean skipListenAddr) {

  /**
   * Kitex's {@code discovery.DefaultWeight}, the weight a server registers unless told otherwise.
   */
  public static final int DEFAULT_WEIGHT = 10;

  /** Validates every field; see the record's parameters. */
  public Info {
    if (serviceName == null || serviceName.isEmpty()) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.SERVICE_NAME, "serviceName must not be empty");
    }
    if (serviceName.indexOf('/') >= 0) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.SERVICE_NAME,
          "serviceName must not contain '/' (it separates the parts of an etcd key): "
              + serviceName);
    }
    if (address == null) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.ADDRESS,
          "address must not be null: give the address the instance listens on, "
              + "e.g. new InetSocketAddress(\"10.0.0.7\", 8888)");
    }
    if (!(address instanceof InetSocketAddress) && !(address instanceof UnixDomainSocketAddress)) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.ADDRESS,
          "address must be an InetSocketAddress or a UnixDomainSocketAddress, not "
              + address.getClass().getName());
    }
    if (address instanceof UnixDomainSocketAddress unix && unix.getPath().toString().isEmpty()) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.ADDRESS,
          "address must not be an empty Unix domain socket path");
    }
    payloadCodec = payloadCodec == null ? "" : payloadCodec;
    if (startTime == null) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.START_TIME, "startTime must not be null");
    }
    if (warmUp == null || warmUp.isNegative()) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.WARM_UP, "warmUp must be zero or positive, not " + warmUp);
    }
    if (tags != null) {
      Map<String, String> copy = new LinkedHashMap<>();
      for (Map.Entry<String, String> tag : tags.entrySet()) {
        if (tag.getKey() == null) {
          throw new InvalidInfoException(
              InvalidInfoException.Field.TAGS, "tags must not have a null key");
        }
        if (tag.getValue() == null) {
          throw new InvalidInfoException(
              InvalidInfoException.Field.TAGS,
              "tags must not have a null value (tag " + tag.getKey() + ")");
        }
        copy.put(tag.getKey(), tag.getValue());
      }
      tags = Collections.unmodifiableMap(copy);
    }
  }

  /** The value of tag {@code key}, or {@code null}. */
  public String tag(String key) {
    return tags == null ? null : tags.get(key);
  }

  /** A builder with the Kitex defaults: weight 10, start time now, no warm-up, no tags. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this info's values. */
  public Builder toBuilder() {
    Builder builder =
        new Builder()
            .serviceName(serviceName)
            .address(address)
            .payloadCodec(payloadCodec)
            .weight(weight)
            .startTime(startTime)
            .warmUp(warmUp)
            .skipListenAddr(skipListenAddr);
    builder.tags = tags == null ? null : new LinkedHashMap<>(tags);
    return builder;
  }

  /** Builds an {@link Info}; {@link #build()} validates. Not thread-safe. */
  public static final class Builder {
    private String serviceName;
    private SocketAddress address;
    private String payloadCodec = "";
    private long weight = DEFAULT_WEIGHT;
    private Instant startTime;
    private Duration warmUp = Duration.ZERO;
    private Map<String, String> tags;
    private boolean skipListenAddr;

    private Builder() {}

    public Builder serviceName(String serviceName) {
      this.serviceName = serviceName;
      return this;
    }

    public Builder address(SocketAddress address) {
      this.address = address;
      return this;
    }

    public Builder payloadCodec(String payloadCodec) {
      this.payloadCodec = payloadCodec;
      return this;
    }

    /**
     * The instance's share of traffic (default {@value Info#DEFAULT_WEIGHT}): any {@code long}, as
     * Go's {@code int} is 64 bits; an {@code int} widens to it.
     */
    public Builder weight(long weight) {
      this.weight = weight;
      return this;
    }

    public Builder startTime(Instant startTime) {
      this.startTime = startTime;
      return this;
    }

    public Builder warmUp(Duration warmUp) {
      this.warmUp = warmUp;
      return this;
    }

    /** Replaces all tags; {@code null} means none (Go's nil map). */
    public Builder tags(Map<String, String> tags) {
      this.tags = tags == null ? null : new LinkedHashMap<>(tags);
      return this;
    }

    /** Adds or replaces one tag. */
    public Builder tag(String key, String value) {
      if (tags == null) {
        tags = new LinkedHashMap<>();
      }
      tags.put(key, value);
      return this;
    }

    public Builder skipListenAddr(boolean skipListenAddr) {
      this.skipListenAddr = skipListenAddr;
      return this;
    }

    /**
     * Returns the info.
     *
     * @throws IllegalArgumentException naming the field that is missing or invalid
     */
    public Info build() {
      return new Info(
          serviceName,
          address,
          payloadCodec,
          weight,
          startTime == null ? Instant.now() : startTime,
          warmUp,
          tags,
          skipListenAddr);
    }
  }
}
