package dev.registryetcd.spring.discovery;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.LiveDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;

/**
 * Spring Cloud's {@link DiscoveryClient} answered from a {@link LiveDiscovery}'s live cache (an
 * {@link dev.registryetcd.etcd.EtcdResolver}): Go (Kitex, Hertz) and Java instances alike, by the
 * registry's service names.
 *
 * <p>The first call for a service reads etcd once (bounded by the dial timeout) and starts a watch;
 * later calls answer from memory, as fresh as the watch (usually milliseconds behind etcd). So a
 * change reaches callers without a restart or a refresh scope. Instances that are not {@code
 * host:port} (Unix domain sockets) are left out. Thread-safe.
 */
public final class EtcdDiscoveryClient implements DiscoveryClient {
  private static final Logger log = LoggerFactory.getLogger(EtcdDiscoveryClient.class);

  private final LiveDiscovery resolver;
  private final int order;
  private final Map<String, Converted> converted = new ConcurrentHashMap<>();
  private volatile RefusingInstances refusing;

  public EtcdDiscoveryClient(LiveDiscovery resolver) {
    this(resolver, DiscoveryClient.DEFAULT_ORDER);
  }

  /**
   * @param order this client's place among the application's discovery clients
   */
  public EtcdDiscoveryClient(LiveDiscovery resolver, int order) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.order = order;
  }

  @Override
  public String description() {
    return "registry-etcd discovery client";
  }

  /**
   * The instances of {@code serviceId}, or an empty list when it has none (or its name cannot be a
   * registry service name); without those held out for refusing connections (see {@link #holdOut}).
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd cannot be read the first time
   */
  @Override
  public List<ServiceInstance> getInstances(String serviceId) {
    List<ServiceInstance> registered = getRegisteredInstances(serviceId);
    RefusingInstances held = refusing;
    return held == null ? registered : held.filter(registered);
  }

  /**
   * Leaves out of {@link #getInstances} the instances {@code refusing} holds (unless it holds every
   * instance of a service); set once, when the application is made.
   */
  public void holdOut(RefusingInstances refusing) {
    this.refusing = refusing;
  }

  /**
   * Every registered instance of {@code serviceId}, those held out for refusing connections
   * included.
   */
  public List<ServiceInstance> getRegisteredInstances(String serviceId) {
    List<Instance> found;
    try {
      found = resolver.instances(serviceId);
    } catch (IllegalArgumentException notAServiceName) {
      return List.of();
    }
    if (found.isEmpty()) {
      converted.remove(serviceId);
      return List.of();
    }
    // The resolver swaps a service's list whole on every change: the same list, the same answer.
    Converted last = converted.get(serviceId);
    if (last != null && last.from == found) {
      return last.instances;
    }
    List<ServiceInstance> instances = new ArrayList<>(found.size());
    for (Instance instance : found) {
      try {
        instances.add(new EtcdServiceInstance(serviceId, instance));
      } catch (IllegalArgumentException notHostPort) {
        log.debug(
            "Leaving out {} of {}: {}", instance.address(), serviceId, notHostPort.getMessage());
      }
    }
    List<ServiceInstance> answer = List.copyOf(instances);
    converted.put(serviceId, new Converted(found, answer));
    return answer;
  }

  /**
   * Every service with at least one instance under the prefix, sorted.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd cannot be read the first time
   */
  @Override
  public List<String> getServices() {
    return resolver.services().stream().sorted().toList();
  }

  /**
   * Reads the service names: fails while etcd cannot be read until the first success, then answers
   * from the live list (the {@code etcd} health indicator is the one that follows etcd).
   */
  @Override
  public void probe() {
    resolver.services();
  }

  @Override
  public int getOrder() {
    return order;
  }

  /** The service instances made from one list of the resolver's. */
  private record Converted(List<Instance> from, List<ServiceInstance> instances) {}
}
