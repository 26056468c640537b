package dev.registryetcd.grpc;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import java.util.Map;

/**
 * The keys under which {@link EtcdNameResolverProvider}'s resolvers describe each instance on its
 * {@link EquivalentAddressGroup#getAttributes()}: what a load-balancing policy (ours, or your own)
 * reads to honour the registry.
 */
public final class EtcdAttributes {
  private EtcdAttributes() {}

  /**
   * The instance's registry weight, always {@code > 0} (a registered weight {@code <= 0} arrives as
   * the resolver's default weight): a {@code long}, as Go's 64-bit {@code int}, never clamped.
   */
  public static final Attributes.Key<Long> WEIGHT =
      Attributes.Key.create("dev.registryetcd.grpc.weight");

  /** The instance's tags, an unmodifiable map; empty when it registered none. */
  public static final Attributes.Key<Map<String, String>> TAGS =
      Attributes.Key.create("dev.registryetcd.grpc.tags");
}
