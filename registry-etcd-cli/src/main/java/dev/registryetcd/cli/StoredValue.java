package dev.registryetcd.cli;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.InstanceInfo;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/**
 * One key found under the registry prefix: an instance, or a value skipped because it is not one.
 */
sealed interface StoredValue permits StoredValue.StoredInstance, StoredValue.Skipped {

  /** The key in etcd. */
  String key();

  /**
   * Reads {@code key}'s {@code value} as the Go extension's resolver would: a value that does not
   * decode is {@link Skipped}, a weight {@code <= 0} becomes the default weight 10.
   *
   * @param rootKey the registry prefix with its trailing slash, e.g. {@code kitex/registry-etcd/}
   */
  static StoredValue decode(String rootKey, String key, byte[] value, long leaseId) {
    String rest = key.startsWith(rootKey) ? key.substring(rootKey.length()) : key;
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1) {
      return new Skipped(key, "not an instance key: expected " + rootKey + "{service}/{address}");
    }
    String service = rest.substring(0, slash);
    try {
      InstanceInfo info = InstanceCodec.decode(value);
      Instance instance =
          new Instance(
              info.network(),
              info.address(),
              info.effectiveWeight(Info.DEFAULT_WEIGHT),
              info.tags());
      return new StoredInstance(service, key, instance, leaseId, OptionalLong.empty());
    } catch (MalformedInstanceException e) {
      return new Skipped(key, e.getMessage());
    }
  }

  /**
   * An instance as stored.
   *
   * @param service the service, from the key
   * @param instance the decoded value, with the default weight applied
   * @param leaseId the key's lease, 0 for none
   * @param ttlSeconds seconds left on the lease, when looked up and the key has one
   */
  record StoredInstance(
      String service, String key, Instance instance, long leaseId, OptionalLong ttlSeconds)
      implements StoredValue {

    StoredInstance withTtl(OptionalLong ttl) {
      return new StoredInstance(service, key, instance, leaseId, ttl);
    }

    /** The TTL column: seconds left, or {@code -} without a lease. */
    String ttlText() {
      return ttlSeconds.isPresent() ? Long.toString(ttlSeconds.getAsLong()) : "-";
    }
  }

  /**
   * A value that is not an instance: shown as {@code ! key: not an instance (reason)}, never an
   * error.
   */
  record Skipped(String key, String reason) implements StoredValue {
    String line() {
      return "! " + key + ": not an instance (" + reason + ")";
    }
  }

  /** The text of {@code bytes} for messages: UTF-8, with at most {@code max} characters. */
  static String preview(byte[] bytes, int max) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return text.length() <= max ? text : text.substring(0, max) + "...";
  }
}
