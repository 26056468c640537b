package dev.registryetcd.spring.health;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import io.etcd.jetcd.Client;
import java.time.Duration;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The {@code etcd} health of this application: UP when etcd has answered the registry or the
 * resolver recently, the registry's lease is alive and holds every registration, and every watched
 * service is up to date; DOWN otherwise, with the {@code problem} detail saying why ({@code etcd
 * has not answered for 4.2s} first when etcd went silent).
 *
 * <p>A check asks etcd nothing: it reads the registry's and the resolver's statuses from memory,
 * including when etcd last answered them (their keep-alives, reads and watches, and the resolver's
 * revision check each second). "Recently" is the smallest {@code contactBound} of the two that ask
 * etcd something now (by default 3.5 s with a resolver watching anything, else a third of the lease
 * TTL plus two keep-alive answer bounds). Only with neither a registry nor a resolver does a check
 * read etcd itself (one count-only read, bounded by the dial timeout). Details: {@code
 * registrations}, {@code leaseId} (hex), {@code leaseAlive}, {@code cachedServices}, {@code
 * cachedInstances}, {@code failingServices}, {@code serviceNamesFailing}, {@code watchRestarts},
 * {@code lastContact} (how long ago etcd last answered, {@code 0.4s ago}), {@code problem}. Never a
 * credential.
 */
public final class EtcdHealthIndicator extends AbstractHealthIndicator {
  private final EtcdHealthCheck check;

  /**
   * @param client etcd, read only when both {@code registry} and {@code resolver} are null
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
