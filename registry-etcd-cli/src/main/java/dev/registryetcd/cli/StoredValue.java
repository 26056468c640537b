package dev.registryetcd.cli;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.registry.Info;
import java.util.OptionalLong;

/**
 * One key found under the registry prefix: an instance, or a value skipped because it is not one.
 */
sealed interface StoredValue permits StoredValue.StoredInstance, StoredValue.Skipped {

  /** The key in etcd. */
  String key();

  /**
   * Reads {@code key}'s {@code value} as the library's resolver does, through the same two rules:
   * {@link ServiceKeys#serviceOf} says which service a key belongs to (every key under {@code
   * {prefix}/{service}/}, nothing after the slash included) and {@link
   * InstanceCodec#decodeInstance} whether its value is an instance (one that does not decode or
   * names no address is {@link Skipped}); a weight {@code <= 0} becomes the default weight 10.
   *
   * @param prefix the registry prefix, e.g. {@code kitex/registry-etcd}
   */
  static StoredValue decode(String prefix, String key, byte[] value, long leaseId) {
    String service = ServiceKeys.serviceOf(prefix, key);
    if (service == null) {
      return new Skipped(key, "not an instance key: expected " + prefix + "/{service}/{address}");
    }
    try {
      Instance instance =
          InstanceCodec.decodeInstance(value).withDefaultWeight(Info.DEFAULT_WEIGHT);
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

    /** The lease id as etcd and etcdctl write it, in hex, or {@code null} without a lease. */
    String leaseHex() {
      return leaseId == 0 ? null : Long.toHexString(leaseId);
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
    /** The line on stderr, escaped and cut: the key and the reason come from etcd. */
    String line() {
      return "! "
          + TerminalText.cut(TerminalText.escape(key), 2 * TerminalText.MAX_CELL)
          + ": not an instance ("
          + TerminalText.cut(TerminalText.escape(reason), 2 * TerminalText.MAX_CELL)
          + ")";
    }
  }
}
