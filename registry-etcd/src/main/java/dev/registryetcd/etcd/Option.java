package dev.registryetcd.etcd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One setting of an {@link EtcdRegistry} or {@link EtcdResolver}: the Java form of the Go
 * extension's {@code Option}. Every registry and resolver factory takes the same options and starts
 * from the same defaults: prefix {@value Settings#DEFAULT_PREFIX}, default weight {@value
 * Settings#DEFAULT_WEIGHT}, dial timeout 5 s, lease TTL from {@code KITEX_ETCD_REGISTRY_LEASE_TTL}
 * or 60 s.
 *
 * <pre>{@code
 * EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(List.of("127.0.0.1:2379"),
 *     Option.withEtcdServicePrefix("hertz/registry-etcd"),
 *     Option.withDialTimeoutOpt(Duration.ofSeconds(3)));
 * }</pre>
 *
 * <p>Options are immutable and validate their arguments when made; {@link #toString()} never shows
 * a password.
 */
public final class Option {
  private final String description;
  private final Consumer<Settings> change;

  private Option(String description, Consumer<Settings> change) {
    this.description = description;
    this.change = change;
  }

  /**
   * Talks TLS to etcd, trusting {@code caFile} and presenting the client certificate {@code
   * certFile} with its key {@code keyFile} (PEM files). Pass {@code null} or empty for both {@code
   * certFile} and {@code keyFile} to use TLS without a client certificate.
   *
   * <p>Unlike the Go extension, which logs a failure and silently talks plaintext, a file that does
   * not load is an error when the registry or resolver is made: never a plaintext fallback.
   */
  public static Option withTLSOpt(String certFile, String keyFile, String caFile) {
    boolean noCert = isEmpty(certFile) && isEmpty(keyFile);
    if (!noCert && (isEmpty(certFile) || isEmpty(keyFile))) {
      throw new InvalidSettingException(
          isEmpty(certFile) ? "certFile" : "keyFile",
          "withTLSOpt: certFile and keyFile go together: give both or neither "
              + "(certFile="
              + certFile
              + ", keyFile="
              + keyFile
              + ")");
    }
    if (isEmpty(caFile)) {
      throw new InvalidSettingException(
          "caFile",
          "withTLSOpt: caFile must name the PEM file of the CA that signed etcd's "
              + "certificate");
    }
    Path cert = noCert ? null : Path.of(certFile);
    Path key = noCert ? null : Path.of(keyFile);
    Path ca = Path.of(caFile);
    return new Option(
        "tls(cert=" + cert + ", key=" + key + ", ca=" + ca + ")", s -> s.tls(cert, key, ca));
  }

  /** Authenticates to etcd as {@code username}. The password is never logged or shown. */
  public static Option withAuthOpt(String username, String password) {
    if (isEmpty(username)) {
      throw new IllegalArgumentException("withAuthOpt: username must not be empty");
    }
    Objects.requireNonNull(password, "withAuthOpt: password must not be null");
    return new Option("auth(user=" + username + ", password=***)", s -> s.auth(username, password));
  }

  /**
   * Bounds how long connecting to etcd, and each request of a registration, may take (default 5 s).
   */
  public static Option withDialTimeoutOpt(Duration dialTimeout) {
    if (dialTimeout == null || dialTimeout.isZero() || dialTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "withDialTimeoutOpt: dialTimeout must be positive, not " + dialTimeout);
    }
    return new Option("dialTimeout=" + dialTimeout, s -> s.dialTimeout(dialTimeout));
  }

  /**
   * Sets the key prefix (default {@value Settings#DEFAULT_PREFIX}); use {@code hertz/registry-etcd}
   * to share Hertz's registry. Keys are {@code {prefix}/{service}/{address}}.
   */
  public static Option withEtcdServicePrefix(String prefix) {
    if (isEmpty(prefix)) {
      throw new IllegalArgumentException(
          "withEtcdServicePrefix: prefix must not be empty, e.g. kitex/registry-etcd");
    }
    return new Option("prefix=" + prefix, s -> s.prefix(prefix));
  }

  /**
   * The weight a resolver hands out for an instance registered with weight {@code <= 0} (default
   * 10).
   */
  public static Option withDefaultWeight(int defaultWeight) {
    if (defaultWeight <= 0) {
      throw new IllegalArgumentException(
          "withDefaultWeight: defaultWeight must be > 0, not " + defaultWeight);
    }
    return new Option("defaultWeight=" + defaultWeight, s -> s.defaultWeight(defaultWeight));
  }

  /**
   * The TTL of the registry's lease, in whole seconds (default: {@code
   * KITEX_ETCD_REGISTRY_LEASE_TTL}, else 60 s). An instance whose process dies disappears from etcd
   * within this time.
   */
  public static Option withLeaseTtl(Duration leaseTtl) {
    Settings.checkLeaseTtl(leaseTtl, "withLeaseTtl");
    return new Option("leaseTtl=" + leaseTtl, s -> s.leaseTtl(leaseTtl));
  }

  void applyTo(Settings settings) {
    change.accept(settings);
  }

  private static boolean isEmpty(String text) {
    return text == null || text.isEmpty();
  }

  @Override
  public String toString() {
    return "Option{" + description + "}";
  }
}
