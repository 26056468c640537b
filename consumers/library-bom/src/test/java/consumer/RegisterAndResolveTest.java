package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegisterAndResolveTest {

  @Test
  void registersAndResolves() {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      List<String> endpoints = etcd.clientEndpointsAsHostPort();
      try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(endpoints);
          EtcdResolver resolver = EtcdResolver.newEtcdResolver(endpoints)) {
        registry.register(
            Info.builder()
                .serviceName("echo")
                .address(new InetSocketAddress("10.0.0.7", 8888))
                .weight(20)
                .tag("zone", "b")
                .build());

        assertEquals(
            List.of(new Instance("tcp", "10.0.0.7:8888", 20, Map.of("zone", "b"))),
            resolver.resolve("echo").instances());
      }
    }
  }
}
