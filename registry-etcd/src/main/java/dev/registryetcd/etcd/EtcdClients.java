package dev.registryetcd.etcd;

import io.etcd.jetcd.Client;
import java.util.List;

/**
 * Makes a jetcd {@link Client} configured exactly as a registry or resolver made with the same
 * endpoints and options would configure its own: to share one connection between a registry and a
 * resolver, or for tools that read etcd directly.
 *
 * <pre>{@code
 * try (Client client = EtcdClients.newClient(List.of("127.0.0.1:2379"), Option.withAuthOpt("svc", password));
 *      EtcdRegistry registry = EtcdRegistry.builder().client(client).build();
 *      EtcdResolver resolver = EtcdResolver.builder().client(client).build()) {
 *   ...
 * }
 * }</pre>
 *
 * <p>The caller owns the client and closes it after the registries and resolvers that use it.
 */
public final class EtcdClients {
  private EtcdClients() {}

  /**
   * A new client for {@code endpoints} ({@code host:port} or {@code http(s)://host:port}); only the
   * connection options (TLS, auth, dial timeout) matter here.
   *
   * @throws IllegalArgumentException for bad endpoints or TLS files that do not load
   */
  public static Client newClient(List<String> endpoints, Option... options) {
    return new Settings(endpoints, options).clientSettings().newClient();
  }

  /**
   * Waits at most {@code timeout} for a call made on a jetcd client, as the registry does: a
   * failure becomes a {@link dev.registryetcd.registry.RegistryException} whose {@link
   * dev.registryetcd.registry.RegistryException#reason() reason} says what kind it is and whose
   * message says what to check. For tools that read etcd directly.
   *
   * @param what the operation, for the message, e.g. {@code "read kitex/registry-etcd/"}
   */
  public static <T> T await(
      java.util.concurrent.CompletableFuture<T> call, java.time.Duration timeout, String what) {
    return dev.registryetcd.etcd.internal.EtcdCalls.await(call, timeout, what);
  }

  /**
   * {@code error}, a failure of a call made on a jetcd client (or one of its causes), as a {@link
   * dev.registryetcd.registry.RegistryException} whose reason says what kind it is, as the registry
   * classifies its own: for tools that watch or read etcd directly and must tell an unreachable
   * etcd from refused credentials without reading messages.
   *
   * @param what the operation, for the message
   */
  public static dev.registryetcd.registry.RegistryException failure(String what, Throwable error) {
    return dev.registryetcd.etcd.internal.EtcdCalls.failure(what, error);
  }
}
