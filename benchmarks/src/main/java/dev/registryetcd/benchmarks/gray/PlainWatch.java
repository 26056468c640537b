package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.DirectEtcd.bytes;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The baseline observer: a plain jetcd range read of a prefix, then a plain jetcd watch from the
 * next revision, with jetcd's default settings, keeping its own map of keys. Also used, on one
 * healthy member's own port, as the run's clock of etcd: when each revision was seen.
 */
final class PlainWatch implements AutoCloseable {
  private final View view;
  private final String viewPrefix;
  private final Map<Long, Long> seenAt = new ConcurrentHashMap<>();
  private final Watch.Watcher watcher;

  /**
   * @param prefix what it watches
   * @param viewPrefix the keys that make up its view (addresses after this prefix)
   */
  PlainWatch(Client client, String prefix, String viewPrefix, View view) throws Exception {
    this.view = view;
    this.viewPrefix = viewPrefix;
    var read =
        client
            .getKVClient()
            .get(bytes(viewPrefix), GetOption.builder().isPrefix(true).build())
            .get(10, TimeUnit.SECONDS);
    Set<String> initial = new HashSet<>();
    for (KeyValue kv : read.getKvs()) {
      initial.add(kv.getKey().toString(StandardCharsets.UTF_8).substring(viewPrefix.length()));
    }
    view.replace(initial, System.nanoTime());
    this.watcher =
        client
            .getWatchClient()
            .watch(
                bytes(prefix),
                WatchOption.builder()
                    .isPrefix(true)
                    .withRevision(read.getHeader().getRevision() + 1)
                    .build(),
                response -> {
                  long now = System.nanoTime();
                  for (WatchEvent event : response.getEvents()) {
                    seenAt.putIfAbsent(event.getKeyValue().getModRevision(), now);
                    String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
                    if (key.startsWith(viewPrefix)) {
                      String address = key.substring(viewPrefix.length());
                      if (event.getEventType() == WatchEvent.EventType.PUT) {
                        view.put(address);
                      } else {
                        view.delete(address, now);
                      }
                    }
                  }
                });
  }

  View view() {
    return view;
  }

  /** When this watch delivered {@code revision} ({@code System.nanoTime()}), or null. */
  Long seenAt(long revision) {
    return seenAt.get(revision);
  }

  @Override
  public void close() {
    watcher.close();
  }
}
