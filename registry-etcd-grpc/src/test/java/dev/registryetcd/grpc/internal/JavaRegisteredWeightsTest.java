package dev.registryetcd.grpc.internal;

import static io.grpc.ConnectivityState.READY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.grpc.EtcdAttributes;
import dev.registryetcd.grpc.GrpcRegistration;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.grpc.EquivalentAddressGroup;
import io.grpc.InsecureServerCredentials;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Weights registered from Java travel through etcd like Go's: a {@link GrpcRegistration} with
 * weight 2^40 and one with 2^31-1, read back by the resolver, balance 512:1 as in Go (see {@link
 * WeightedRoundRobinLoadBalancerTest} for the same weights written by Go).
 */
class JavaRegisteredWeightsTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void javaWeightsTwoToTheFortyAndIntMaxBalance512To1AsInGo() throws IOException {
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());
        EtcdResolver resolver = EtcdResolver.newEtcdResolver(etcd.clientEndpointsAsHostPort());
        GrpcRegistration heavy = register(registry, 1L << 40);
        GrpcRegistration light = register(registry, Integer.MAX_VALUE)) {
      List<Instance> instances = resolver.resolve("weights").instances();
      assertThat(instances)
          .extracting(Instance::weight)
          .contains(1L << 40, (long) Integer.MAX_VALUE);

      FakeHelper helper = new FakeHelper();
      WeightedRoundRobinLoadBalancer balancer = new WeightedRoundRobinLoadBalancer(helper);
      List<EquivalentAddressGroup> groups =
          InstanceAddresses.toAddressGroups("weights", instances, new HashSet<>()).getValue();
      assertThat(
              balancer
                  .acceptResolvedAddresses(
                      ResolvedAddresses.newBuilder().setAddresses(groups).build())
                  .isOk())
          .isTrue();
      helper.created.forEach(subchannel -> subchannel.become(READY));

      Map<Long, Integer> picksByWeight = new HashMap<>();
      for (int i = 0; i < 513 * 1000; i++) {
        picksByWeight.merge(weightOf(helper.pick().getSubchannel()), 1, Integer::sum);
      }

      // Go picks 512 times the one for the other; clamped to Java's int they would be 1:1.
      assertThat(picksByWeight.get(1L << 40)).isBetween(511_999, 512_001);
      assertThat(picksByWeight.get((long) Integer.MAX_VALUE)).isBetween(999, 1001);
      balancer.shutdown();
    }
  }

  private static long weightOf(Subchannel subchannel) {
    return subchannel.getAllAddresses().get(0).getAttributes().get(EtcdAttributes.WEIGHT);
  }

  private static GrpcRegistration register(EtcdRegistry registry, long weight) throws IOException {
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .build()
            .start();
    return GrpcRegistration.register(server, registry, "weights", weight, null);
  }
}
