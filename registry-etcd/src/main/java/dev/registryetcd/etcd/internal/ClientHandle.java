package dev.registryetcd.etcd.internal;

import io.etcd.jetcd.Client;

/**
 * The jetcd client a registry or resolver works on: either the one handed to its builder, which it
 * never closes (the caller owns it), or one it made from its settings and closes with itself.
 *
 * @param owned whether it was made here, so {@link #close()} closes it
 * @param description where the client talks to, for messages: never a user name or password
 */
public record ClientHandle(Client client, boolean owned, String description)
    implements AutoCloseable {

  /**
   * {@code given} when not null (the settings' endpoints, TLS and auth then do not matter), else a
   * new client made from {@code settings}.
   *
   * @throws dev.registryetcd.etcd.InvalidSettingException for bad endpoints or TLS files that do
   *     not load
   */
  public static ClientHandle givenOrNew(Client given, ClientSettings settings) {
    if (given != null) {
      return new ClientHandle(given, false, "etcd (through the client given to the builder)");
    }
    Client made = settings.newClient();
    return new ClientHandle(made, true, settings.describe());
  }

  /** Closes the client when it was made here; leaves a given one to its owner. */
  @Override
  public void close() {
    if (owned) {
      client.close();
    }
  }
}
