package dev.registryetcd.spring.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code registry.etcd.*} properties: everything the library's options cover, plus what this
 * application registers. Every time is a {@link Duration} ({@code 5s}, {@code 500ms}).
 *
 * <p>Bound once at start-up; checked when the beans are made, so a bad value stops start-up with a
 * message that names the property (see {@link InvalidEtcdPropertyException}). {@link #toString()}
 * never shows the password.
 *
 * @param enabled Whether anything of registry-etcd is set up; "false" switches it all off
 * @param endpoints The etcd endpoints, "host:port" or "http(s)://host:port"
 * @param prefix The key prefix; use "hertz/registry-etcd" to share Hertz's registry
 * @param username The etcd user to authenticate as; no authentication when empty
 * @param password The etcd user's password; never logged or shown
 * @param dialTimeout How long connecting to etcd, and each request of a registration, may take
 * @param leaseTtl The TTL of the registry's lease in whole seconds; when unset,
 *     "KITEX_ETCD_REGISTRY_LEASE_TTL" or 60s, as in the Go extension
 * @param defaultWeight The weight discovery hands out for an instance registered with weight 0 or
 *     less
 * @param tls TLS towards etcd
 * @param retry How the registry puts its registrations back after etcd lost them
 * @param failFast Whether start-up fails when this application cannot register because etcd does
 *     not answer; "false" starts without etcd, reports health DOWN, and registers as soon as etcd
 *     answers
 * @param instance What this application registers
 * @param registration Automatic registration of this application
 * @param discovery The Spring Cloud discovery clients
 */
@ConfigurationProperties(EtcdProperties.PREFIX)
public record EtcdProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("127.0.0.1:2379") List<String> endpoints,
    @DefaultValue("kitex/registry-etcd") String prefix,
    String username,
    String password,
    @DefaultValue("5s") Duration dialTimeout,
    Duration leaseTtl,
    @DefaultValue("10") int defaultWeight,
    @DefaultValue Tls tls,
    @DefaultValue Retry retry,
    @DefaultValue("true") boolean failFast,
    @DefaultValue Instance instance,
    @DefaultValue Registration registration,
    @DefaultValue Discovery discovery) {

  /** The prefix of every property of this starter. */
  public static final String PREFIX = "registry.etcd";

  public EtcdProperties {
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    tls = tls == null ? new Tls(null, null, null) : tls;
    retry = retry == null ? new Retry(5, Duration.ofSeconds(30), Duration.ofSeconds(10)) : retry;
    instance =
        instance == null ? new Instance(null, null, null, 10, Map.of(), null, false) : instance;
    registration = registration == null ? new Registration(true) : registration;
    discovery = discovery == null ? new Discovery(true, Duration.ofMinutes(10), true) : discovery;
  }

  /** Whether a username is set, so the client authenticates. */
  public boolean authenticates() {
    return username != null && !username.isEmpty();
  }

  @Override
  public String toString() {
    return "EtcdProperties{enabled="
        + enabled
        + ", endpoints="
        + endpoints
        + ", prefix="
        + prefix
        + ", username="
        + username
        + ", password="
        + (password == null ? "null" : "******")
        + ", dialTimeout="
        + dialTimeout
        + ", leaseTtl="
        + leaseTtl
        + ", defaultWeight="
        + defaultWeight
        + ", "
        + tls
        + ", "
        + retry
        + ", failFast="
        + failFast
        + ", "
        + instance
        + ", "
        + registration
        + ", "
        + discovery
        + "}";
  }

  /**
   * TLS towards etcd: set {@code ca-file} to talk TLS, and {@code cert-file} with {@code key-file}
   * to present a client certificate. A file that does not load stops start-up: never a plaintext
   * fallback.
   *
   * @param caFile PEM file of the CA that signed etcd's certificate
   * @param certFile PEM client certificate
   * @param keyFile PEM PKCS#8 private key of the client certificate
   */
  public record Tls(String caFile, String certFile, String keyFile) {
    /** Whether any TLS file is set. */
    public boolean configured() {
      return notEmpty(caFile) || notEmpty(certFile) || notEmpty(keyFile);
    }
  }

  /**
   * How the registry keeps its registrations after etcd lost them, as the Go extension's {@code
   * retry.Config}.
   *
   * @param maxAttemptTimes Attempts in a row before waiting for the next check; 0 means unlimited
   * @param observeDelay Time between two checks of the registrations while all is well
   * @param retryDelay Time between two attempts to register again
   */
  public record Retry(
      @DefaultValue("5") int maxAttemptTimes,
      @DefaultValue("30s") Duration observeDelay,
      @DefaultValue("10s") Duration retryDelay) {}

  /**
   * What this application registers.
   *
   * @param serviceName The service name; "spring.application.name" when unset
   * @param host The host to register; when unset, the address Spring Cloud's InetUtils picks
   *     ("spring.cloud.inetutils.*"); "KITEX_IP_TO_REGISTRY" replaces either
   * @param port The port to register; the web server's port when unset
   * @param weight This instance's share of traffic
   * @param tags Tags registered with this instance, e.g. "registry.etcd.instance.tags.zone=b"
   * @param instanceId This application's instance id in Spring Cloud (the Registration, the
   *     serviceregistry endpoint, registration events); "service/host:port" when unset
   * @param secure Whether this instance serves HTTPS: registered as the tag "secure=true", from
   *     which discovery clients report it secure, with an https URI
   */
  public record Instance(
      String serviceName,
      String host,
      Integer port,
      @DefaultValue("10") long weight,
      Map<String, String> tags,
      String instanceId,
      @DefaultValue("false") boolean secure) {

    public Instance {
      tags = tags == null ? Map.of() : Map.copyOf(tags);
    }
  }

  /**
   * Automatic registration of this application when its web server is up.
   *
   * @param enabled Whether this application registers itself
   */
  public record Registration(@DefaultValue("true") boolean enabled) {}

  /**
   * The Spring Cloud discovery clients answered from the resolver's live cache.
   *
   * @param enabled Whether the resolver and the discovery clients are set up
   * @param idleTimeout How long a service nobody asks for stays cached and watched
   * @param holdOutRefusing Whether an instance that refused a load-balanced call's connection is
   *     left out of the discovery clients' answers until it accepts connections again (a killed
   *     process keeps its key until its lease expires)
   */
  public record Discovery(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("10m") Duration idleTimeout,
      @DefaultValue("true") boolean holdOutRefusing) {}

  private static boolean notEmpty(String text) {
    return text != null && !text.isEmpty();
  }
}
