package dev.registryetcd.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.SynchronizationContext;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The providers as gRPC's registries see them, and their configuration. */
class ProvidersTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void defaultNameResolverRegistryFindsTheEtcdScheme() {
    NameResolverProvider found =
        NameResolverRegistry.getDefaultRegistry().getProviderForScheme("etcd");

    assertThat(found).isInstanceOf(EtcdNameResolverProvider.class);
    assertThat(found.getDefaultScheme()).isEqualTo("etcd");
  }

  @Test
  void dnsStaysTheDefaultSchemeForTargetsWithoutOne() {
    assertThat(NameResolverRegistry.getDefaultRegistry().getDefaultScheme()).isEqualTo("dns");
  }

  @Test
  void defaultLoadBalancerRegistryFindsTheWeightedPolicy() {
    LoadBalancerProvider found =
        LoadBalancerRegistry.getDefaultRegistry().getProvider("etcd_weighted_round_robin");

    assertThat(found).isInstanceOf(EtcdWeightedRoundRobinLoadBalancerProvider.class);
    assertThat(found.isAvailable()).isTrue();
    assertThat(found.getPriority()).isEqualTo(5);
  }

  @Test
  void policyConfigParsingAcceptsAnythingAndNeverThrows() {
    EtcdWeightedRoundRobinLoadBalancerProvider lb =
        new EtcdWeightedRoundRobinLoadBalancerProvider();

    for (Map<String, ?> config :
        List.of(Map.<String, Object>of(), Map.of("unknown", List.of(1, "x")))) {
      NameResolver.ConfigOrError parsed = lb.parseLoadBalancingPolicyConfig(config);
      assertThat(parsed.getError()).isNull();
      assertThat(parsed.getConfig()).isNotNull();
    }
    assertThat(lb.parseLoadBalancingPolicyConfig(null).getError()).isNull();
  }

  @Test
  void serviceLoadedProviderIsAvailableAsAFallbackWithPriorityFour() {
    EtcdNameResolverProvider provider = new EtcdNameResolverProvider();

    assertThat(provider.isAvailable()).isTrue();
    assertThat(provider.priority()).isEqualTo(4);
  }

  @Test
  void aProviderRegisteredTheStandardWayTakesEffectAndDnsStaysTheDefaultScheme() throws Exception {
    NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
    try (EtcdRegistry etcdRegistry =
            EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());
        EchoServer server = EchoServer.start("standard");
        EtcdNameResolverProvider mine =
            EtcdNameResolverProvider.forEndpoints(etcd.clientEndpoints())) {
      etcdRegistry.register(
          Info.builder().serviceName("echo-standard").address(server.address()).build());
      registry.register(mine);
      try {
        assertThat(registry.getProviderForScheme("etcd")).isSameAs(mine);
        assertThat(registry.getDefaultScheme()).isEqualTo("dns");
        ManagedChannel channel =
            ManagedChannelBuilder.forTarget("etcd:///echo-standard").usePlaintext().build();
        try {
          assertThat(EchoServer.call(channel)).isEqualTo("standard");
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      } finally {
        registry.deregister(mine);
      }
    }
    assertThat(registry.getProviderForScheme("etcd"))
        .isNotNull()
        .isInstanceOf(EtcdNameResolverProvider.class);
  }

  @Test
  void serviceLoadedProviderReadsItsEndpointsFromTheSystemProperty() throws Exception {
    assumeTrue(
        System.getenv(EtcdNameResolverProvider.ENDPOINTS_ENV) == null,
        "ETCD_ENDPOINTS overrides the property");
    String previous =
        System.setProperty(
            EtcdNameResolverProvider.ENDPOINTS_PROPERTY, String.join(",", etcd.clientEndpoints()));
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());
        EchoServer server = EchoServer.start("spi")) {
      registry.register(Info.builder().serviceName("echo-spi").address(server.address()).build());
      ManagedChannel channel =
          ManagedChannelBuilder.forTarget("etcd:///echo-spi").usePlaintext().build();
      try {
        assertThat(EchoServer.call(channel)).isEqualTo("spi");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } finally {
      // Nothing else here uses the service-loaded provider: release its resolver before etcd stops.
      ((EtcdNameResolverProvider)
              NameResolverRegistry.getDefaultRegistry().getProviderForScheme("etcd"))
          .close();
      if (previous == null) {
        System.clearProperty(EtcdNameResolverProvider.ENDPOINTS_PROPERTY);
      } else {
        System.setProperty(EtcdNameResolverProvider.ENDPOINTS_PROPERTY, previous);
      }
    }
  }

  @Test
  void configurationPrefersTheEnvironmentThenTheSystemPropertyThenTheDefault() {
    Map<String, String> env =
        Map.of(
            "ETCD_ENDPOINTS",
            " 10.0.0.1:2379, http://10.0.0.2:2379 ,",
            "ETCD_PREFIX",
            "hertz/registry-etcd");
    Map<String, String> properties =
        Map.of("registry.etcd.endpoints", "10.0.0.9:2379", "registry.etcd.prefix", "p");

    EtcdNameResolverProvider both = new EtcdNameResolverProvider(env::get, properties::get);
    assertThat(both.configuredEndpoints()).containsExactly("10.0.0.1:2379", "http://10.0.0.2:2379");
    assertThat(both.configuredPrefix()).isEqualTo("hertz/registry-etcd");

    EtcdNameResolverProvider propertiesOnly =
        new EtcdNameResolverProvider(name -> " ", properties::get);
    assertThat(propertiesOnly.configuredEndpoints()).containsExactly("10.0.0.9:2379");
    assertThat(propertiesOnly.configuredPrefix()).isEqualTo("p");

    EtcdNameResolverProvider neither = new EtcdNameResolverProvider(name -> null, name -> null);
    assertThat(neither.configuredEndpoints()).containsExactly("127.0.0.1:2379");
    assertThat(neither.configuredPrefix()).isNull();

    EtcdNameResolverProvider onlyCommas =
        new EtcdNameResolverProvider(Map.of("ETCD_ENDPOINTS", ",,")::get, name -> null);
    assertThatThrownBy(onlyCommas::configuredEndpoints)
        .hasMessageContaining("no etcd endpoint in ',,'");
  }

  @Test
  void targetsThatDoNotNameOneServiceAreRefusedClearly() {
    EtcdNameResolverProvider provider = new EtcdNameResolverProvider(name -> null, name -> null);

    for (String target : List.of("etcd:///", "etcd:///a/b", "etcd:echo")) {
      assertThatThrownBy(() -> provider.newNameResolver(URI.create(target), args()))
          .as(target)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("an etcd target names one service, as in etcd:///echo");
    }
    assertThat(provider.newNameResolver(URI.create("dns:///echo"), args())).isNull();
    assertThat(provider.newNameResolver(URI.create("etcd:///echo"), args()).getServiceAuthority())
        .isEqualTo("echo");
  }

  @Test
  void providerForAGivenResolverRefusesEndpointsInTheTarget() {
    try (EtcdResolver resolver = EtcdResolver.newEtcdResolver(etcd.clientEndpoints())) {
      EtcdNameResolverProvider provider = EtcdNameResolverProvider.forResolver(resolver);

      assertThatThrownBy(
              () -> provider.newNameResolver(URI.create("etcd://10.0.0.1:2379/echo"), args()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("use etcd:///echo without endpoints");
    }
  }

  @Test
  void registerAsDefaultReplacesTheServiceLoadedProvider() {
    NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
    NameResolverProvider original = registry.getProviderForScheme("etcd");
    try (EtcdNameResolverProvider mine =
        EtcdNameResolverProvider.forEndpoints(etcd.clientEndpoints())) {
      mine.registerAsDefault();
      try {
        assertThat(registry.getProviderForScheme("etcd")).isSameAs(mine);
        assertThat(registry.getDefaultScheme()).isEqualTo("dns");
      } finally {
        registry.deregister(mine);
        registry.register(original);
      }
    }
    assertThat(registry.getProviderForScheme("etcd")).isSameAs(original);
  }

  private static NameResolver.Args args() {
    return ResolverArgs.with(new SynchronizationContext((thread, error) -> {})).build();
  }
}
