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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What {@link EtcdHealthIndicator} reports, free of Spring Boot's health API (which Boot 4 moved to
 * another package), so that each Boot line's indicator only hands it to its own {@code Health}.
 *
 * <p>It reads the registry's and the resolver's statuses only, never etcd: whether etcd answers is
 * told by when it last answered them ({@link RegistryStatus#lastContact()}, {@link
 * ResolverStatus#lastContact()}), which they hear anyway (keep-alives every third of the lease TTL,
 * the resolver's revision check every second). Only with neither a registry nor a resolver does it
 * read etcd itself.
 */
final class EtcdHealthCheck {
  private final Client client;
  private final EtcdRegistry registry;
  private final EtcdResolver resolver;
  private final String prefix;
  private final Duration timeout;
  private final Clock clock;

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
    this.clock = Clock.systemUTC(); // the clock the statuses' lastContact is on
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

  /**
   * Reads the registry's and resolver's statuses; with neither, reads etcd once (bounded by the
   * dial timeout).
   */
  Result run() {
    if (registry == null && resolver == null) {
      return ownRead();
    }
    return judge(
        registry == null ? null : registry.status(),
        resolver == null ? null : resolver.status(),
        clock.instant());
  }

  /**
   * What the statuses say at {@code now}. etcd counts as silent when the most recent answer either
   * component had is older than the smallest {@code contactBound} of those that ask etcd something
   * now: that component would have heard etcd within it, had etcd answered. A component that keeps
   * or watches nothing (no bound) asks etcd nothing, so its silence says nothing; when neither
   * asks, etcd's silence is not judged (nothing here depends on it).
   *
   * @param registry the registry's status, or null without a registry
   * @param resolver the resolver's status, or null without a resolver
   */
  static Result judge(RegistryStatus registry, ResolverStatus resolver, Instant now) {
    Map<String, Object> details = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    Instant lastContact = null;
    Duration bound = null;
    if (registry != null) {
      details.put("registrations", registry.registrations());
      details.put("leaseId", Long.toHexString(registry.leaseId()));
      details.put("leaseAlive", registry.leaseAlive());
      if (!registry.healthy()) {
        problems.add(
            registry.closed()
                ? "the registry is closed"
                : registry.problem() != null
                    ? registry.problem()
                    : "the registry's lease is not alive");
      }
      lastContact = latest(lastContact, registry.lastContact());
      bound = smallest(bound, registry.contactBound());
    }
    if (resolver != null) {
      details.put("cachedServices", resolver.cachedServices());
      details.put("cachedInstances", resolver.cachedInstances());
      details.put("failingServices", new TreeSet<>(resolver.failingServices()));
      details.put("serviceNamesFailing", resolver.serviceNamesFailing());
      details.put("watchRestarts", resolver.watchRestarts());
      if (resolver.closed()) {
        problems.add("the resolver is closed");
      } else {
        if (!resolver.failingServices().isEmpty()) {
          problems.add("cannot read etcd for " + new TreeSet<>(resolver.failingServices()));
        }
        if (resolver.serviceNamesFailing()) {
          problems.add("cannot read the service names from etcd");
        }
      }
      lastContact = latest(lastContact, resolver.lastContact());
      bound = smallest(bound, resolver.contactBound());
    }
    Duration age = lastContact == null ? null : ageAt(lastContact, now);
    details.put("lastContact", age == null ? "never" : seconds(age) + " ago");
    if (age != null && bound != null && age.compareTo(bound) > 0) {
      problems.add(0, "etcd has not answered for " + seconds(age));
    }
    if (!problems.isEmpty()) {
      details.put("problem", String.join("; ", problems));
    }
    return new Result(problems.isEmpty(), details);
  }

  /** With neither a registry nor a resolver, nothing hears etcd: one count-only read of its own. */
  private Result ownRead() {
    Map<String, Object> details = new LinkedHashMap<>();
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
      details.put("problem", String.valueOf(e.getMessage()));
    }
    return new Result(details.isEmpty(), details);
  }

  private static Instant latest(Instant a, Instant b) {
    return a == null ? b : b == null || a.isAfter(b) ? a : b;
  }

  private static Duration smallest(Duration a, Duration b) {
    return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /** How long ago {@code then} was at {@code now}; zero when the system clock went back since. */
  private static Duration ageAt(Instant then, Instant now) {
    Duration age = Duration.between(then, now);
    return age.isNegative() ? Duration.ZERO : age;
  }

  /** {@code 3.6s}. */
  private static String seconds(Duration duration) {
    return String.format(Locale.ROOT, "%.1fs", duration.toMillis() / 1000.0);
  }
}
