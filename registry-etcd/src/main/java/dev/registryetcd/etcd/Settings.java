package dev.registryetcd.etcd;

import dev.registryetcd.etcd.internal.ClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The settings every registry and resolver starts from, changed by {@link Option}s. Not
 * thread-safe.
 */
final class Settings {
  static final String DEFAULT_PREFIX = "kitex/registry-etcd";
  static final int DEFAULT_WEIGHT = 10;
  static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(60);
  static final String LEASE_TTL_ENV = "KITEX_ETCD_REGISTRY_LEASE_TTL";

  private final List<String> endpoints;
  private String prefix = DEFAULT_PREFIX;
  private int defaultWeight = DEFAULT_WEIGHT;
  private Duration dialTimeout = DEFAULT_DIAL_TIMEOUT;
  private Duration leaseTtl;
  private Path certFile;
  private Path keyFile;
  private Path caFile;
  private String user;
  private String password;

  Settings(List<String> endpoints, Option... options) {
    this.endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
    for (Option option : options) {
      Objects.requireNonNull(option, "option must not be null").applyTo(this);
    }
  }

  void tls(Path certFile, Path keyFile, Path caFile) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.caFile = caFile;
  }

  void auth(String user, String password) {
    this.user = user;
    this.password = password;
  }

  void dialTimeout(Duration dialTimeout) {
    this.dialTimeout = dialTimeout;
  }

  void prefix(String prefix) {
    this.prefix = prefix;
  }

  void defaultWeight(int defaultWeight) {
    this.defaultWeight = defaultWeight;
  }

  void leaseTtl(Duration leaseTtl) {
    this.leaseTtl = leaseTtl;
  }

  String prefix() {
    return prefix;
  }

  int defaultWeight() {
    return defaultWeight;
  }

  Duration dialTimeout() {
    return dialTimeout;
  }

  /**
   * The lease TTL option, else {@code KITEX_ETCD_REGISTRY_LEASE_TTL} from {@code env}, else 60 s.
   */
  Duration leaseTtl(Function<String, String> env) {
    if (leaseTtl != null) {
      return leaseTtl;
    }
    String fromEnv = env.apply(LEASE_TTL_ENV);
    if (fromEnv == null || fromEnv.isBlank()) {
      return DEFAULT_LEASE_TTL;
    }
    Duration ttl;
    try {
      ttl = Duration.ofSeconds(Long.parseLong(fromEnv.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          LEASE_TTL_ENV
              + "="
              + fromEnv
              + " is not a whole number of seconds: set it to e.g. 60, or unset it for the default",
          e);
    }
    checkLeaseTtl(ttl, LEASE_TTL_ENV);
    return ttl;
  }

  ClientSettings clientSettings() {
    return new ClientSettings(endpoints, dialTimeout, certFile, keyFile, caFile, user, password);
  }

  static void checkLeaseTtl(Duration ttl, String source) {
    if (ttl == null || ttl.getSeconds() < 1 || ttl.getNano() != 0) {
      throw new IllegalArgumentException(
          source + ": the lease TTL must be a whole number of seconds >= 1s, not " + ttl);
    }
  }

  @Override
  public String toString() {
    return "Settings{endpoints="
        + endpoints
        + ", prefix="
        + prefix
        + ", defaultWeight="
        + defaultWeight
        + ", dialTimeout="
        + dialTimeout
        + ", tls="
        + (caFile != null)
        + ", user="
        + user
        + "}";
  }
}
