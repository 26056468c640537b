package dev.registryetcd.etcd.internal.stream;

import dev.registryetcd.etcd.internal.ClientChannel;
import io.etcd.jetcd.Client;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one {@link WatchStream} of each jetcd {@link Client}: every resolver, registry and CLI watch
 * made on the same client shares it. The stream is made by the first {@link #acquire} and closed by
 * the {@link #release} of its last user; the client itself stays its owner's.
 */
public final class WatchStreams {
  private static final AtomicInteger IDS = new AtomicInteger();

  /** Guarded by the class. */
  private static final Map<Client, Shared> STREAMS = new IdentityHashMap<>();

  private static final class Shared {
    final WatchStream stream;
    int users;

    Shared(WatchStream stream) {
      this.stream = stream;
    }
  }

  private WatchStreams() {}

  /**
   * The stream of {@code client}, made now if it has none; every call must be matched by one {@link
   * #release}.
   *
   * @throws IllegalStateException when the client is not a jetcd 0.8.7 client
   */
  public static synchronized WatchStream acquire(Client client) {
    Shared shared = STREAMS.get(client);
    if (shared == null) {
      shared =
          new Shared(
              new WatchStream(
                  "registry-etcd-watch-stream-" + IDS.incrementAndGet(),
                  ClientChannel.watchStub(client),
                  ClientChannel.namespace(client),
                  () -> ClientChannel.refreshToken(client),
                  () -> ClientChannel.reconnectNow(client)));
      STREAMS.put(client, shared);
    }
    shared.users++;
    return shared.stream;
  }

  /** One user of {@code client}'s stream is done with it; the last one closes it. */
  public static synchronized void release(Client client) {
    Shared shared = STREAMS.get(client);
    if (shared != null && --shared.users == 0) {
      STREAMS.remove(client);
      shared.stream.close();
    }
  }

  /** How many users {@code client}'s stream has; 0 when it has none. */
  public static synchronized int users(Client client) {
    Shared shared = STREAMS.get(client);
    return shared == null ? 0 : shared.users;
  }
}
