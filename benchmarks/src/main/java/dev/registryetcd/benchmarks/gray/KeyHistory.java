package dev.registryetcd.benchmarks.gray;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every event under a prefix between two moments, as etcd itself recorded them: read afterwards
 * with a watch from the first moment's revision, through a client of the members' own ports, so a
 * live watch that sat on the faulty member cannot hide an event (as the library's own gray-failure
 * tests do).
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

  /** One event: a put or a delete of a key, at a revision. */
  record Event(boolean put, String key, long revision) {}

  /** Starts recording now: events after the current revision count. */
  static KeyHistory startingNow(Client client, String prefix) throws Exception {
    return new KeyHistory(client, prefix, currentRevision(client, prefix));
  }

  static long currentRevision(Client client, String prefix) throws Exception {
    return client
        .getKVClient()
        .get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
        .get(10, TimeUnit.SECONDS)
        .getHeader()
        .getRevision();
  }

  long fromRevision() {
    return fromRevision;
  }

  /** Every event from the start until now, oldest first. */
  List<Event> untilNow() throws Exception {
    String sentinel = prefix + SENTINEL;
    // a member just thawed or healed may call an election: the first writes can time out
    retry(
        () -> client.getKVClient().put(bytes(sentinel), bytes("")).get(5, TimeUnit.SECONDS),
        Duration.ofSeconds(30));
    List<Event> events = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
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
                        done.countDown();
                      } else {
                        events.add(
                            new Event(
                                event.getEventType() == WatchEvent.EventType.PUT,
                                key,
                                event.getKeyValue().getModRevision()));
                      }
                    }
                  }
                })) {
      if (!done.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("etcd's history of " + prefix + " did not reach its end");
      }
    }
    retry(
        () -> client.getKVClient().delete(bytes(sentinel)).get(5, TimeUnit.SECONDS),
        Duration.ofSeconds(30));
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  interface Call {
    Object call() throws Exception;
  }

  /** Calls until it succeeds, for at most {@code bound}; rethrows the last failure. */
  static void retry(Call call, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      try {
        call.call();
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
