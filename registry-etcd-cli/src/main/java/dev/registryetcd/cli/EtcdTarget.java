package dev.registryetcd.cli;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and how a command reaches etcd, decided once from the global options and the environment.
 * Immutable; {@link #toString()} never shows the password (it lives only inside an {@link Option},
 * which redacts it).
 *
 * @param endpoints etcd endpoints, {@code host:port} or URLs
 * @param endpointsGiven whether the user named them ({@code --endpoints} or {@code ETCD_ENDPOINTS})
 * @param prefix the key prefix, e.g. {@code kitex/registry-etcd}
 * @param prefixGiven whether the user named it with {@code --prefix}
 * @param dialTimeout how long to wait for etcd, per request
 * @param user the user name, or {@code null} without authentication
 * @param connection the TLS and auth options (the prefix and dial timeout are added by {@link
 *     #options()})
 */
public record EtcdTarget(
    List<String> endpoints,
    boolean endpointsGiven,
    String prefix,
    boolean prefixGiven,
    Duration dialTimeout,
    String user,
    List<Option> connection) {

  public EtcdTarget {
    endpoints = List.copyOf(endpoints);
    connection = List.copyOf(connection);
  }

  /**
   * The same settings for other endpoints, without TLS or credentials: for an etcd the demo starts.
   */
  public EtcdTarget plain(List<String> otherEndpoints, String otherPrefix) {
    return new EtcdTarget(
        otherEndpoints, true, otherPrefix, prefixGiven, dialTimeout, null, List.of());
  }

  /** Every library option these settings stand for. */
  public Option[] options() {
    List<Option> all = new ArrayList<>(connection);
    all.add(Option.withEtcdServicePrefix(prefix));
    all.add(Option.withDialTimeoutOpt(dialTimeout));
    return all.toArray(new Option[0]);
  }

  /** A new jetcd client; the caller closes it. */
  public Client newClient() {
    return EtcdClients.newClient(endpoints, options());
  }

  /** A resolver with these settings; the caller closes it. */
  public EtcdResolver newResolver() {
    return EtcdResolver.newEtcdResolver(endpoints, options());
  }

  /** A registry builder with these settings; the registry makes (and closes) its own client. */
  public EtcdRegistry.Builder registry() {
    return EtcdRegistry.builder().endpoints(endpoints).options(options());
  }

  /** The same etcd with another key prefix. */
  public EtcdTarget withPrefix(String otherPrefix) {
    return new EtcdTarget(
        endpoints, endpointsGiven, otherPrefix, prefixGiven, dialTimeout, user, connection);
  }

  /** The range holding every service: {@code {prefix}/}. */
  public String rootKey() {
    return prefix + "/";
  }

  /**
   * The range a resolver reads for {@code service}: {@code {prefix}/{service}/}, trailing slash
   * included.
   */
  public String serviceKey(String service) {
    return prefix + "/" + service + "/";
  }

  /** Whether TLS files were given ({@code --cacert}, with {@code --cert} and {@code --key}). */
  public boolean usesTls() {
    return connection.stream().anyMatch(option -> option.toString().contains("tls("));
  }

  /** The endpoints as the user wrote them, for messages. */
  public String endpointsText() {
    return String.join(",", endpoints);
  }
}
