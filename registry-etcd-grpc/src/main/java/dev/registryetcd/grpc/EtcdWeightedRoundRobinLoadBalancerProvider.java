package dev.registryetcd.grpc;

import dev.registryetcd.grpc.internal.WeightedRoundRobinLoadBalancer;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver.ConfigOrError;
import java.util.Map;

/**
 * The load-balancing policy {@value #POLICY_NAME}: calls go to the READY instances in proportion to
 * their registry weights ({@link EtcdAttributes#WEIGHT}, as {@link EtcdNameResolverProvider} sets
 * it; 1 for addresses without one), interleaved by smooth weighted round robin, so with weights
 * 1:2:3 every 6 consecutive picks of a channel go 1, 2 and 3 times to the three instances. Weights
 * are Go's 64-bit {@code int}s, not clamped to Java's {@code int}: {@code 2^40} and {@code 2^31-1}
 * balance 512:1, as in Go (only a sum past {@code 2^62} is scaled down, ratios kept).
 *
 * <p>Registered in {@code META-INF/services}; select it per channel:
 *
 * <pre>{@code
 * ManagedChannel channel = ManagedChannelBuilder.forTarget("etcd:///echo")
 *     .defaultLoadBalancingPolicy(EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
 *     .usePlaintext()
 *     .build();
 * }</pre>
 *
 * <p>or in a service config as {@code {"loadBalancingConfig": [{"etcd_weighted_round_robin":
 * {}}]}}. Instances that cannot be reached are skipped until they reconnect; address changes keep
 * the connections of unchanged instances, so their in-flight calls go on; a weight change takes
 * effect with the next pick. The policy uses gRPC's public load-balancing API only.
 */
public final class EtcdWeightedRoundRobinLoadBalancerProvider extends LoadBalancerProvider {
  /** The policy's name: {@code etcd_weighted_round_robin}. */
  public static final String POLICY_NAME = "etcd_weighted_round_robin";

  /** The parsed configuration: the policy has no settings. */
  private static final Object CONFIG =
      new Object() {
        @Override
        public String toString() {
          return POLICY_NAME + "{}";
        }
      };

  /** For the service loader. */
  public EtcdWeightedRoundRobinLoadBalancerProvider() {}

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return POLICY_NAME;
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new WeightedRoundRobinLoadBalancer(helper);
  }

  /**
   * Accepts any configuration, {@code null} included: the policy has no settings, and fields it
   * does not know are ignored (as gRPC's {@code round_robin} does) so newer configs still load.
   * Never throws.
   */
  @Override
  public ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> rawLoadBalancingPolicyConfig) {
    return ConfigOrError.fromConfig(CONFIG);
  }
}
