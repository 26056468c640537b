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

class OldestJacksonTest {

  @Test
  void registersAndResolvesOnTheOldestSupportedJackson() {
    assertEquals(
        System.getProperty("expected.jackson", "2.16.0"),
        com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString(),
        "the jackson-core on the test class path");
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
