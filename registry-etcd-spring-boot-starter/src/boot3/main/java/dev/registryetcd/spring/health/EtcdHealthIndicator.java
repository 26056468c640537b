package dev.registryetcd.spring.health;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import io.etcd.jetcd.Client;
import java.time.Duration;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

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
  private final EtcdHealthCheck check;

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
    this.check = new EtcdHealthCheck(client, registry, resolver, prefix, timeout);
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    EtcdHealthCheck.Result result = check.run();
    builder.withDetails(result.details());
    if (result.up()) {
      builder.up();
    } else {
      builder.down();
    }
  }
}
