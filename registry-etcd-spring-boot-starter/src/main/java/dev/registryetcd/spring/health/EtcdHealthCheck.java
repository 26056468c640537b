package dev.registryetcd.spring.health;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.RegistryStatus;
import dev.registryetcd.etcd.ResolverStatus;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What {@link EtcdHealthIndicator} reports, free of Spring Boot's health API (which Boot 4 moved to
 * another package), so that each Boot line's indicator only hands it to its own {@code Health}.
 */
final class EtcdHealthCheck {
  private final Client client;
  private final EtcdRegistry registry;
  private final EtcdResolver resolver;
  private final String prefix;
  private final Duration timeout;

  EtcdHealthCheck(
      Client client,
      EtcdRegistry registry,
      EtcdResolver resolver,
      String prefix,
      Duration timeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.registry = registry;
    this.resolver = resolver;
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * One check's outcome.
   *
   * @param up whether everything checked is well
   * @param details the details in the order they are shown, {@code problem} last when not up
   */
  record Result(boolean up, Map<String, Object> details) {
    Result {
      details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
  }

  /** Reads etcd once (bounded by the dial timeout) and the registry's and resolver's state. */
  Result run() {
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    if (registry != null) {
      RegistryStatus status = registry.status();
      details.put("registrations", status.registrations());
      details.put("leaseId", Long.toHexString(status.leaseId()));
      details.put("leaseAlive", status.leaseAlive());
      if (!status.healthy()) {
        problems.add(
            status.closed()
                ? "the registry is closed"
                : status.problem() != null
                    ? status.problem()
                    : "the registry's lease is not alive");
      }
    }
    if (resolver != null) {
      ResolverStatus status = resolver.status();
      details.put("cachedServices", status.cachedServices());
      details.put("cachedInstances", status.cachedInstances());
      details.put("failingServices", new TreeSet<>(status.failingServices()));
      details.put("serviceNamesFailing", status.serviceNamesFailing());
      details.put("watchRestarts", status.watchRestarts());
      if (status.closed()) {
        problems.add("the resolver is closed");
      } else {
        if (!status.failingServices().isEmpty()) {
          problems.add("cannot read etcd for " + new TreeSet<>(status.failingServices()));
        }
        if (status.serviceNamesFailing()) {
          problems.add("cannot read the service names from etcd");
        }
      }
    }
    try {
      EtcdClients.await(
          client
              .getKVClient()
              .get(
                  ByteSequence.from(prefix + "/", StandardCharsets.UTF_8),
                  GetOption.builder().isPrefix(true).withCountOnly(true).withLimit(1).build()),
          timeout,
          "read " + prefix + "/");
    } catch (RuntimeException e) {
      problems.add(0, String.valueOf(e.getMessage()));
    }
    if (!problems.isEmpty()) {
      details.put("problem", String.join("; ", problems));
    }
    return new Result(problems.isEmpty(), details);
  }
}
