package dev.registryetcd.etcd.internal.registry;

import java.util.Arrays;
import java.util.Objects;

/**
 * One registered instance: its service, the key it is stored under and the exact bytes of its
 * value.
 */
public record Registration(String service, String key, byte[] value) {
  public Registration {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(key, "key");
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
