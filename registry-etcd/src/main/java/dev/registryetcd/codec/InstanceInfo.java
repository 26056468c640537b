package dev.registryetcd.codec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The value stored under an instance key, exactly the Go extension's {@code instanceInfo}: {@code
 * {"network":..,"address":..,"weight":..,"tags":..}}.
 *
 * <p>{@code tags} is {@code null} when absent (Go writes {@code "tags":null}) and an unmodifiable
 * copy otherwise, so {@code null} and an empty map stay distinct on the wire.
 *
 * @param network the address's network, e.g. {@code tcp} or {@code unix}
 * @param address {@code host:port} ({@code [::1]:8888} for IPv6) or a socket path
 * @param weight the weight as written; readers treat {@code <= 0} as their default weight
 * @param tags string tags, or {@code null}
 */
public record InstanceInfo(String network, String address, int weight, Map<String, String> tags) {

  public InstanceInfo {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(address, "address");
    if (tags != null) {
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
   * The weight a resolver hands out: {@link #weight()}, or {@code defaultWeight} when it is {@code
   * <= 0}.
   */
  public int effectiveWeight(int defaultWeight) {
    return weight > 0 ? weight : defaultWeight;
  }
}
