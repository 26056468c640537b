package dev.registryetcd.etcd.internal;

import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC channel inside a jetcd {@link Client}, to make it reconnect at once when etcd is known
 * to answer again.
 *
 * <p>Why: after an outage, gRPC waits out its connect backoff (growing to two minutes) before it
 * tries a member again, so a registry would see etcd back only up to two minutes after it serves.
 * jetcd does not expose its channel; this reaches it by reflection, against the jetcd version the
 * project is built and tested with. When that fails (another jetcd), it says so once at DEBUG and
 * recovery only takes longer.
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
      Field manager = client.getClass().getDeclaredField("connectionManager");
      manager.setAccessible(true);
      Object connections = manager.get(client);
      Method channel = connections.getClass().getDeclaredMethod("getChannel");
      channel.setAccessible(true);
      return Optional.of((ManagedChannel) channel.invoke(connections));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.debug(
          "Cannot reach the gRPC channel of {}: {}", client.getClass().getName(), e.toString());
      return Optional.empty();
    }
  }
}
