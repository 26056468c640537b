package dev.registryetcd.spring.grpc.client;

import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.grpc.EtcdNameResolverProvider;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import org.springframework.grpc.client.GrpcChannelBuilderCustomizer;
import org.springframework.grpc.client.VirtualTargets;

/**
 * Makes Spring gRPC channels to {@code etcd:///service} resolve through the application's {@link
 * EtcdResolver} (the starter's: its endpoints, TLS, credentials and live cache, shared with the
 * discovery clients) and balance with {@code etcd_weighted_round_robin}, by the registered weights.
 *
 * <p>Applies to a channel whose address, after Spring gRPC's channel properties ({@code
 * spring.grpc.client.channels.NAME.address}), is an {@code etcd:} target without endpoints. A
 * target that names its endpoints ({@code etcd://10.0.0.1:2379/echo}) and every other target are
 * left to gRPC's registry (for {@code etcd:}, the service-loaded provider). Runs after Spring
 * gRPC's own property customizer, so the policy set here wins over {@code
 * default-load-balancing-policy} of the channel; an empty policy leaves the channel's.
 */
public final class EtcdChannelBuilderCustomizer<T extends ManagedChannelBuilder<T>>
    implements GrpcChannelBuilderCustomizer<T> {
  private final EtcdNameResolverProvider provider;
  private final VirtualTargets targets;
  private final String loadBalancingPolicy;

  /**
   * @param resolver the resolver the channels subscribe on; stays the caller's
   * @param targets Spring gRPC's channel names to addresses
   * @param loadBalancingPolicy the policy of etcd channels; empty or null to leave the channel's
   */
  public EtcdChannelBuilderCustomizer(
      EtcdResolver resolver, VirtualTargets targets, String loadBalancingPolicy) {
    this.provider = EtcdNameResolverProvider.forResolver(resolver);
    this.targets = Objects.requireNonNull(targets, "targets");
    this.loadBalancingPolicy =
        loadBalancingPolicy == null || loadBalancingPolicy.isBlank() ? null : loadBalancingPolicy;
  }

  @Override
  @SuppressWarnings("deprecation") // nameResolverFactory: gRPC's per-channel way to pick a provider
  public void customize(String target, T builder) {
    if (!isEtcdWithoutEndpoints(targets.getTarget(target))) {
      return;
    }
    builder.nameResolverFactory(provider);
    if (loadBalancingPolicy != null) {
      builder.defaultLoadBalancingPolicy(loadBalancingPolicy);
    }
  }

  /**
   * Whether {@code address} is {@code etcd:///service}: resolved by this application's resolver.
   */
  static boolean isEtcdWithoutEndpoints(String address) {
    if (address == null
        || !address
            .toLowerCase(Locale.ROOT)
            .startsWith(EtcdNameResolverProvider.SCHEME.toLowerCase(Locale.ROOT) + ":")) {
      return false;
    }
    try {
      String authority = new URI(address).getAuthority();
      return authority == null || authority.isEmpty();
    } catch (URISyntaxException e) {
      return false; // gRPC's own parsing reports it on the channel
    }
  }

  @Override
  public String toString() {
    return "EtcdChannelBuilderCustomizer{policy=" + loadBalancingPolicy + "}";
  }
}
