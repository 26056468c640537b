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
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code etcd} health of this application: UP when etcd answers a read of the registry prefix,
 * the registry's lease is alive and holds every registration, and every watched service is up to
 * date; DOWN otherwise, with the {@code problem} detail saying why.
 *
 * <p>One check costs one count-only read of one key, bounded by the dial timeout; the rest is read
 * from memory. Details: {@code registrations}, {@code leaseId} (hex), {@code leaseAlive}, {@code
 * cachedServices}, {@code cachedInstances}, {@code failingServices}, {@code serviceNamesFailing},
 * {@code watchRestarts}, {@code problem}. Never a credential.
 */
public final class EtcdHealthIndicator extends AbstractHealthIndicator {
  private final Client client;
  private final EtcdRegistry registry;
  private final EtcdResolver resolver;
  private final String prefix;
  private final Duration timeout;

  /**
   * @param registry the registry to report on, or null when registration is off
   * @param resolver the resolver to report on, or null when discovery is off
   */
  public EtcdHealthIndicator(
      Client client,
      EtcdRegistry registry,
      EtcdResolver resolver,
      String prefix,
      Duration timeout) {
    super("etcd health check failed");
    this.client = Objects.requireNonNull(client, "client");
    this.registry = registry;
    this.resolver = resolver;
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    List<String> problems = new ArrayList<>();
    if (registry != null) {
      RegistryStatus status = registry.status();
      builder
          .withDetail("registrations", status.registrations())
          .withDetail("leaseId", Long.toHexString(status.leaseId()))
          .withDetail("leaseAlive", status.leaseAlive());
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
      builder
          .withDetail("cachedServices", status.cachedServices())
          .withDetail("cachedInstances", status.cachedInstances())
          .withDetail("failingServices", new TreeSet<>(status.failingServices()))
          .withDetail("serviceNamesFailing", status.serviceNamesFailing())
          .withDetail("watchRestarts", status.watchRestarts());
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
    if (problems.isEmpty()) {
      builder.up();
    } else {
      builder.down().withDetail("problem", String.join("; ", problems));
    }
  }
}
