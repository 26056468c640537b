package dev.registryetcd.spring.grpc.autoconfigure;

import dev.registryetcd.grpc.EtcdWeightedRoundRobinLoadBalancerProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code registry.etcd.grpc.*} properties: how a Spring gRPC application registers its gRPC
 * server and resolves {@code etcd:///service} channels. Everything else ({@code endpoints}, {@code
 * instance.host}, {@code instance.weight}, {@code instance.tags}, ...) is the starter's {@code
 * registry.etcd.*}.
 *
 * @param serviceName The service name the gRPC server registers under; when unset,
 *     "registry.etcd.instance.service-name", else "spring.application.name"
 * @param registerWebServer Whether the web server is registered too, as the starter does without
 *     this module; it then needs a service name of its own ("spring.application.name" or
 *     "registry.etcd.instance.service-name", different from the gRPC server's)
 * @param registration Registration of the Spring gRPC server
 * @param client Spring gRPC channels to etcd:///service targets
 */
@ConfigurationProperties(EtcdGrpcProperties.PREFIX)
public record EtcdGrpcProperties(
    String serviceName,
    @DefaultValue("false") boolean registerWebServer,
    @DefaultValue Registration registration,
    @DefaultValue Client client) {

  /** The prefix of every property of this module. */
  public static final String PREFIX = "registry.etcd.grpc";

  public EtcdGrpcProperties {
    registration = registration == null ? new Registration(true) : registration;
    client =
        client == null
            ? new Client(true, EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
            : client;
  }

  /**
   * Registration of the Spring gRPC server.
   *
   * @param enabled Whether the Spring gRPC server registers itself in etcd once it listens
   */
  public record Registration(@DefaultValue("true") boolean enabled) {}

  /**
   * Spring gRPC channels to {@code etcd:///service}.
   *
   * @param enabled Whether etcd:/// channels resolve through the starter's resolver (its endpoints,
   *     TLS, credentials and live cache)
   * @param defaultLoadBalancingPolicy The load-balancing policy of etcd:/// channels; empty leaves
   *     Spring gRPC's own channel setting (round_robin unless set), which ignores the weights
   */
  public record Client(
      @DefaultValue("true") boolean enabled,
      @DefaultValue(EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
          String defaultLoadBalancingPolicy) {}
}
