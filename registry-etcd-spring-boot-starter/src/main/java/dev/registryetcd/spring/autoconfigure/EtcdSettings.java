package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.InvalidSettingException;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.retry.RetryConfig;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@link EtcdProperties} turned into the library's options, checked all at once when made: a value
 * the library refuses becomes an {@link InvalidEtcdPropertyException} naming the property, so
 * start-up stops before anything talks to etcd.
 *
 * <p>The client, registry and resolver beans are made from it; for options the properties do not
 * cover, define those beans yourself (each backs off when the application has its own).
 */
public final class EtcdSettings {
  private final List<String> endpoints;
  private final List<Option> connectionOptions;
  private final List<Option> options;
  private final RetryConfig retryConfig;
  private final Duration dialTimeout;
  private final String prefix;
  private final EtcdProperties properties;

  private EtcdSettings(EtcdProperties properties) {
    this.properties = properties;
    this.endpoints = properties.endpoints();
    if (endpoints.isEmpty() || endpoints.stream().anyMatch(e -> e == null || e.isBlank())) {
      throw invalid(
          "endpoints",
          endpoints,
          "give at least one etcd endpoint, host:port or http(s)://host:port, "
              + "e.g. 127.0.0.1:2379",
          null);
    }
    List<Option> connection = new ArrayList<>();
    EtcdProperties.Tls tls = properties.tls();
    if (tls.configured()) {
      try {
        connection.add(Option.withTLSOpt(tls.certFile(), tls.keyFile(), tls.caFile()));
      } catch (InvalidSettingException e) {
        throw invalid(e);
      }
    }
    if (properties.authenticates()) {
      if (properties.password() == null) {
        throw invalid(
            "password",
            null,
            "set the password of etcd user " + properties.username() + " (registry.etcd.username)",
            null);
      }
      connection.add(Option.withAuthOpt(properties.username(), properties.password()));
    } else if (properties.password() != null) {
      throw invalid(
          "username",
          properties.username(),
          "set the etcd user registry.etcd.password belongs to, or remove registry.etcd.password",
          null);
    }
    connection.add(
        check(
            "dial-timeout",
            properties.dialTimeout(),
            () -> Option.withDialTimeoutOpt(properties.dialTimeout())));
    this.connectionOptions = List.copyOf(connection);

    List<Option> all = new ArrayList<>(connection);
    all.add(
        check(
            "prefix",
            properties.prefix(),
            () -> Option.withEtcdServicePrefix(properties.prefix())));
    all.add(
        check(
            "default-weight",
            properties.defaultWeight(),
            () -> Option.withDefaultWeight(properties.defaultWeight())));
    if (properties.leaseTtl() != null) {
      all.add(
          check(
              "lease-ttl",
              properties.leaseTtl(),
              () -> Option.withLeaseTtl(properties.leaseTtl())));
    }
    this.options = List.copyOf(all);

    EtcdProperties.Retry retry = properties.retry();
    this.retryConfig =
        RetryConfig.newRetryConfig(
            check(
                "retry.max-attempt-times",
                retry.maxAttemptTimes(),
                () -> RetryConfig.withMaxAttemptTimes(retry.maxAttemptTimes())),
            check(
                "retry.observe-delay",
                retry.observeDelay(),
                () -> RetryConfig.withObserveDelay(retry.observeDelay())),
            check(
                "retry.retry-delay",
                retry.retryDelay(),
                () -> RetryConfig.withRetryDelay(retry.retryDelay())));

    EtcdProperties.Instance instance = properties.instance();
    if (instance.weight() < 1) {
      throw invalid(
          "instance.weight", instance.weight(), "the weight of this instance must be >= 1", null);
    }
    if (instance.port() != null && (instance.port() < 1 || instance.port() > 65535)) {
      throw invalid("instance.port", instance.port(), "a port must be within 1..65535", null);
    }
    Duration idle = properties.discovery().idleTimeout();
    if (idle == null || idle.isZero() || idle.isNegative()) {
      throw invalid("discovery.idle-timeout", idle, "must be positive, e.g. 10m", null);
    }
    this.dialTimeout = properties.dialTimeout();
    this.prefix = properties.prefix();
  }

  /**
   * Checks {@code properties} and turns them into options.
   *
   * @throws InvalidEtcdPropertyException naming the first property the library refuses
   */
  public static EtcdSettings of(EtcdProperties properties) {
    return new EtcdSettings(properties);
  }

  /**
   * A new jetcd client for the endpoints, TLS and auth; the caller closes it.
   *
   * @throws InvalidEtcdPropertyException when an endpoint or a TLS file is refused
   */
  public Client newClient() {
    try {
      return EtcdClients.newClient(endpoints, connectionOptions.toArray(Option[]::new));
    } catch (InvalidSettingException e) {
      throw invalid(e);
    }
  }

  /** The property behind a setting the library refused. */
  private InvalidEtcdPropertyException invalid(InvalidSettingException e) {
    EtcdProperties.Tls tls = properties.tls();
    return switch (e.setting()) {
      case "caFile" -> invalid("tls.ca-file", tls.caFile(), e.getMessage(), e);
      case "certFile" -> invalid("tls.cert-file", tls.certFile(), e.getMessage(), e);
      case "keyFile" -> invalid("tls.key-file", tls.keyFile(), e.getMessage(), e);
      default -> invalid("endpoints", properties.endpoints(), e.getMessage(), e);
    };
  }

  /** The etcd endpoints. */
  public List<String> endpoints() {
    return endpoints;
  }

  /** Every option, for the registry and the resolver. */
  public Option[] options() {
    return options.toArray(Option[]::new);
  }

  /** How the registry keeps its registrations. */
  public RetryConfig retryConfig() {
    return retryConfig;
  }

  /** The bound on one etcd request. */
  public Duration dialTimeout() {
    return dialTimeout;
  }

  /** The key prefix. */
  public String prefix() {
    return prefix;
  }

  /** The properties these settings were made from. */
  public EtcdProperties properties() {
    return properties;
  }

  private static <T> T check(String property, Object value, Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw invalid(property, value, String.valueOf(e.getMessage()), e);
    }
  }

  static InvalidEtcdPropertyException invalid(
      String property, Object value, String reason, Throwable cause) {
    return new InvalidEtcdPropertyException(
        EtcdProperties.PREFIX + "." + property, value, reason, cause);
  }

  @Override
  public String toString() {
    return "EtcdSettings{endpoints="
        + endpoints
        + ", options="
        + options
        + ", retry="
        + retryConfig
        + "}";
  }
}
