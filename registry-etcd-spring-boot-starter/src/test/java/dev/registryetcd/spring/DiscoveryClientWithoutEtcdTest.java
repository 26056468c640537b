package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.LiveDiscovery;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.spring.discovery.EtcdDiscoveryClient;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.client.ServiceInstance;

/** {@link EtcdDiscoveryClient} on an in-memory {@link LiveDiscovery}. */
class DiscoveryClientWithoutEtcdTest {

  /** Services and their instances held in a map; nothing is pushed. */
  private static final class MapDiscovery implements LiveDiscovery {
    final Map<String, List<Instance>> services = new ConcurrentHashMap<>();

    @Override
    public Subscription subscribe(String service, ChangeListener listener) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Subscription subscribe(String service, ChangeListener listener, Executor executor) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Set<String> services() {
      return Set.copyOf(services.keySet());
    }

    @Override
    public List<Instance> instances(String service) {
      if (service.contains("/")) {
        throw new IllegalArgumentException("not a service name: " + service);
      }
      return services.getOrDefault(service, List.of());
    }
  }

  private final MapDiscovery discovery = new MapDiscovery();
  private final EtcdDiscoveryClient client = new EtcdDiscoveryClient(discovery);

  @Test
  void instancesBecomeServiceInstancesAndTheSameListGivesTheSameAnswer() {
    discovery.services.put(
        "echo",
        List.of(
            new Instance("tcp", "10.0.0.1:8080", 10, Map.of("zone", "a")),
            new Instance("unix", "/tmp/echo.sock", 10, null)));

    List<ServiceInstance> instances = client.getInstances("echo");
    assertThat(instances)
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.getHost()).isEqualTo("10.0.0.1");
              assertThat(i.getPort()).isEqualTo(8080);
              assertThat(i.getMetadata()).containsEntry("zone", "a").containsEntry("weight", "10");
            });
    assertThat(client.getInstances("echo")).isSameAs(instances);

    discovery.services.put("echo", List.of(new Instance("tcp", "10.0.0.2:8080", 20, null)));
    assertThat(client.getInstances("echo"))
        .extracting(ServiceInstance::getHost)
        .containsExactly("10.0.0.2");
  }

  @Test
  void aServiceWithoutInstancesOrAnInvalidNameIsAnEmptyList() {
    assertThat(client.getInstances("nobody")).isEmpty();
    assertThat(client.getInstances("a/b")).isEmpty();
  }

  @Test
  void servicesAreSorted() {
    discovery.services.put("b", List.of());
    discovery.services.put("a", List.of());
    assertThat(client.getServices()).containsExactly("a", "b");
  }
}
