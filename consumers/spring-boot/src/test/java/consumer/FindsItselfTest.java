package consumer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.registryetcd.testkit.EtcdCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "spring.application.name=consumer")
class FindsItselfTest {

  private static final EtcdCluster ETCD = EtcdCluster.single().start();

  @DynamicPropertySource
  static void etcd(DynamicPropertyRegistry properties) {
    properties.add(
        "registry.etcd.endpoints", () -> String.join(",", ETCD.clientEndpointsAsHostPort()));
  }

  @AfterAll
  static void stopEtcd() {
    ETCD.close();
  }

  @LocalServerPort int port;

  @Autowired DiscoveryClient discovery;

  @Test
  void registersAndFindsItself() throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    List<ServiceInstance> instances = discovery.getInstances("consumer");
    while (instances.stream().noneMatch(i -> i.getPort() == port)
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
      instances = discovery.getInstances("consumer");
    }
    List<ServiceInstance> found = instances;
    assertTrue(
        found.stream().anyMatch(i -> i.getPort() == port),
        () -> "port " + port + " among " + found);
  }
}
