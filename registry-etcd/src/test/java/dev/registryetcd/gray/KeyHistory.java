package dev.registryetcd.gray;

import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every event under a prefix between two moments, as etcd itself recorded them: read afterwards
 * with a watch from the first moment's revision, so that no event is missed while a member is
 * frozen or cut off (a live watch could sit on that very member).
 */
final class KeyHistory {
  private static final String SENTINEL = "~history-sentinel";

  private final Client client;
  private final String prefix;
  private final long fromRevision;

  private KeyHistory(Client client, String prefix, long fromRevision) {
    this.client = client;
    this.prefix = prefix;
    this.fromRevision = fromRevision;
  }

  /** Starts recording now: events after the current revision count. */
  static KeyHistory startingNow(Client client, String prefix) throws Exception {
    long revision =
        client
            .getKVClient()
            .get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(10, TimeUnit.SECONDS)
            .getHeader()
            .getRevision();
    return new KeyHistory(client, prefix, revision);
  }

  /** One event: a put or a delete of a key. */
  record Event(WatchEvent.EventType type, String key, long revision) {}

  /** Every event from the start until now, oldest first. */
  List<Event> untilNow() throws Exception {
    String sentinel = prefix + SENTINEL;
    // a member just thawed or healed may call an election: its first requests can time out
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              client.getKVClient().put(bytes(sentinel), bytes("")).get(5, TimeUnit.SECONDS);
              return true;
            });
    List<Event> events = new ArrayList<>();
    boolean[] done = new boolean[1];
    try (Watch.Watcher watcher =
        client
            .getWatchClient()
            .watch(
                bytes(prefix),
                WatchOption.builder().isPrefix(true).withRevision(fromRevision + 1).build(),
                response -> {
                  synchronized (events) {
                    for (WatchEvent event : response.getEvents()) {
                      String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
                      if (key.equals(sentinel)) {
                        done[0] = true;
                      } else {
                        events.add(
                            new Event(
                                event.getEventType(), key, event.getKeyValue().getModRevision()));
                      }
                    }
                  }
                })) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                synchronized (events) {
                  return done[0];
                }
              });
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              client.getKVClient().delete(bytes(sentinel)).get(5, TimeUnit.SECONDS);
              return true;
            });
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
