package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class TooOldJacksonTest {

  @Test
  void firstRegisterNamesTheFoundAndTheRequiredJackson() {
    assertEquals("2.15.4", com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString());
    try (EtcdCluster etcd = EtcdCluster.single().start();
        EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort())) {
      Info info =
          Info.builder()
              .serviceName("echo")
              .address(new InetSocketAddress("10.0.0.7", 8888))
              .build();

      IllegalStateException error =
          assertThrows(IllegalStateException.class, () -> registry.register(info));

      String message = error.getMessage();
      assertTrue(message.contains("jackson-core 2.16.0 or newer"), message);
      assertTrue(message.contains("found 2.15.4"), message);
      // and again, not a NoClassDefFoundError the second time
      assertThrows(IllegalStateException.class, () -> registry.register(info));
    }
  }
}
