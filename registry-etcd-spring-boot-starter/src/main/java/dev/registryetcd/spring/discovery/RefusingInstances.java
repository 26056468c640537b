package dev.registryetcd.spring.discovery;

import dev.registryetcd.discovery.LiveDiscovery;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.client.ServiceInstance;

/**
 * Instances that refused a connection, held out of the discovery clients' answers until they accept
 * one again. A process killed without deregistering keeps its key until its lease expires (60 s by
 * default); without this, a caller would send it a share of its calls all that time.
 *
 * <p>{@link RefusingInstancesLifecycle} reports the refusals Spring Cloud LoadBalancer sees. One
 * daemon thread, owned here and stopped by {@link #close()}, tries to connect to each held instance
 * every {@link #PROBE_INTERVAL}; one that accepts, or is no longer registered, is released. When
 * every instance of a service is held, none is left out: a caller then gets the errors rather than
 * no instance at all. Thread-safe.
 */
public final class RefusingInstances implements AutoCloseable {
  /** How often a held instance is tried again. */
  public static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(RefusingInstances.class);
  private static final int CONNECT_TIMEOUT_MS = 500;

  /** What is held: the service, and its instance's host and port. */
  private record Held(String serviceId, String host, int port) {}

  private final Map<Held, Boolean> held = new ConcurrentHashMap<>();
  private final EtcdDiscoveryClient discovery;
  private final ScheduledExecutorService probes;

  /**
   * @param resolver where to check that a held instance is still registered
   */
  public RefusingInstances(LiveDiscovery resolver) {
    this.discovery = new EtcdDiscoveryClient(Objects.requireNonNull(resolver, "resolver"));
    this.probes =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "registry-etcd-refusing-instances");
              thread.setDaemon(true);
              return thread;
            });
    probes.scheduleWithFixedDelay(
        this::probeAll,
        PROBE_INTERVAL.toMillis(),
        PROBE_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /** {@code instance} refused a connection: holds it out until it accepts one. */
  public void refused(ServiceInstance instance) {
    Held key = new Held(instance.getServiceId(), instance.getHost(), instance.getPort());
    if (held.putIfAbsent(key, Boolean.TRUE) == null) {
      log.info(
          "Holding {}:{} of {} out of load balancing: it refuses connections",
          key.host(),
          key.port(),
          key.serviceId());
    }
  }

  /** Whether {@code instance} is held out. */
  public boolean isHeld(ServiceInstance instance) {
    return held.containsKey(
        new Held(instance.getServiceId(), instance.getHost(), instance.getPort()));
  }

  /** {@code instances} without those held out, or all of them when every one is held. */
  List<ServiceInstance> filter(List<ServiceInstance> instances) {
    if (held.isEmpty()) {
      return instances;
    }
    List<ServiceInstance> kept = new ArrayList<>(instances.size());
    for (ServiceInstance instance : instances) {
      if (!isHeld(instance)) {
        kept.add(instance);
      }
    }
    return kept.isEmpty() || kept.size() == instances.size() ? instances : List.copyOf(kept);
  }

  private void probeAll() {
    for (Held key : held.keySet()) {
      try {
        if (!stillRegistered(key) || accepts(key)) {
          held.remove(key);
          log.info(
              "{}:{} of {} is back in load balancing", key.host(), key.port(), key.serviceId());
        }
      } catch (RuntimeException e) {
        log.debug("Checking {}:{} failed: {}", key.host(), key.port(), e.toString());
      }
    }
  }

  private boolean stillRegistered(Held key) {
    return discovery.getRegisteredInstances(key.serviceId()).stream()
        .anyMatch(i -> i.getHost().equals(key.host()) && i.getPort() == key.port());
  }

  private static boolean accepts(Held key) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(key.host(), key.port()), CONNECT_TIMEOUT_MS);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the probes; nothing is held out any more. */
  @Override
  public void close() {
    probes.shutdownNow();
    held.clear();
  }
}
