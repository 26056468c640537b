package dev.registryetcd.etcd.internal;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.WatchGrpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the project needs from inside a jetcd {@link Client}: its gRPC channel (to make it reconnect
 * at once when etcd is known to answer again), Watch and Lease stubs on that channel with jetcd's
 * auth credentials, its auth token (to drop when etcd says it expired) and its namespace.
 *
 * <p>Why: after an outage, gRPC waits out its connect backoff (growing to two minutes) before it
 * tries a member again, so a registry would see etcd back only up to two minutes after it serves.
 * And jetcd opens one gRPC stream per watch, while etcd's Watch API carries any number of watches
 * on one stream ({@code dev.registryetcd.etcd.internal.stream.WatchStream}), which needs a stub on
 * the client's own channel, TLS and credentials included; and jetcd's {@code keepAliveOnce} sends
 * its request twice ({@code dev.registryetcd.etcd.internal.registry.KeepAliveOnce}). jetcd does not
 * expose either; this reaches them by reflection (its {@code connectionManager}), against the jetcd
 * version the project is built and tested with (0.8.7).
 */
public final class ClientChannel {
  private static final Logger log = LoggerFactory.getLogger(ClientChannel.class);

  private ClientChannel() {}

  /** Makes every member whose connection failed be tried again now, instead of after backoff. */
  public static void reconnectNow(Client client) {
    of(client).ifPresent(ManagedChannel::resetConnectBackoff);
  }

  static Optional<ManagedChannel> of(Client client) {
    try {
      Object connections = connectionManager(client);
      Method channel = connections.getClass().getDeclaredMethod("getChannel");
      channel.setAccessible(true);
      return Optional.of((ManagedChannel) channel.invoke(connections));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug(
          "Cannot reach the gRPC channel of {}: {}", client.getClass().getName(), e.toString());
      return Optional.empty();
    }
  }

  /**
   * An async Watch stub on the client's channel, made as jetcd makes its own (its wait-for-ready
   * setting, its auth credentials, which fetch and attach the token).
   *
   * @throws IllegalStateException when this jetcd does not have what 0.8.7 has
   */
  public static WatchGrpc.WatchStub watchStub(Client client) {
    return stub(client, WatchGrpc::newStub, "open its watch stream");
  }

  /**
   * An async Lease stub on the client's channel, made as {@link #watchStub} is.
   *
   * @throws IllegalStateException when this jetcd does not have what 0.8.7 has
   */
  public static LeaseGrpc.LeaseStub leaseStub(Client client) {
    return stub(client, LeaseGrpc::newStub, "send its keep-alives");
  }

  @SuppressWarnings("unchecked")
  private static <S extends AbstractStub<S>> S stub(
      Client client, Function<ManagedChannel, S> make, String purpose) {
    try {
      Object connections = connectionManager(client);
      Method newStub = connections.getClass().getDeclaredMethod("newStub", Function.class);
      newStub.setAccessible(true);
      return (S) newStub.invoke(connections, make);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "registry-etcd cannot "
              + purpose
              + " on this jetcd client ("
              + client.getClass().getName()
              + ": "
              + e
              + "); use jetcd 0.8.7, the version registry-etcd's BOM names",
          e);
    }
  }

  /**
   * Drops the client's auth token, so that the next call authenticates again (etcd said the token
   * is invalid: it expired, or etcd restarted). Nothing happens without auth.
   */
  public static void refreshToken(Client client) {
    try {
      Object connections = connectionManager(client);
      Method credential = connections.getClass().getDeclaredMethod("authCredential");
      credential.setAccessible(true);
      Object auth = credential.invoke(connections);
      Method refresh = auth.getClass().getDeclaredMethod("refresh");
      refresh.setAccessible(true);
      refresh.invoke(auth);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug(
          "Cannot refresh the auth token of {}: {}", client.getClass().getName(), e.toString());
    }
  }

  /** The namespace the client puts before every key, empty when none. */
  public static ByteSequence namespace(Client client) {
    try {
      Object connections = connectionManager(client);
      Method namespace = connections.getClass().getDeclaredMethod("getNamespace");
      namespace.setAccessible(true);
      ByteSequence value = (ByteSequence) namespace.invoke(connections);
      return value == null ? ByteSequence.EMPTY : value;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug("Cannot read the namespace of {}: {}", client.getClass().getName(), e.toString());
      return ByteSequence.EMPTY;
    }
  }

  private static Object connectionManager(Client client) throws ReflectiveOperationException {
    Field manager = client.getClass().getDeclaredField("connectionManager");
    manager.setAccessible(true);
    return manager.get(client);
  }
}
