package dev.registryetcd.etcd.internal.registry;

import java.util.Arrays;
import java.util.Objects;

/**
 * One registered instance: its service, the key it is stored under, the exact bytes of its value,
 * and its origin: the service and the address the caller gave, before the address rules (fixed
 * address, {@code KITEX_*} variables) made the key. A later deregistration of the same origin finds
 * the key stored, even if those rules have changed since.
 */
public record Registration(String service, String key, byte[] value, String origin) {
  public Registration {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(origin, "origin");
    value = value.clone();
  }

  /** A copy of the value's bytes. */
  @Override
  public byte[] value() {
    return value.clone();
  }

  /** Whether {@code stored} is exactly this registration's value. */
  public boolean hasValue(byte[] stored) {
    return Arrays.equals(value, stored);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Registration r && r.key.equals(key) && Arrays.equals(r.value, value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, Arrays.hashCode(value));
  }

  @Override
  public String toString() {
    return key;
  }
}
