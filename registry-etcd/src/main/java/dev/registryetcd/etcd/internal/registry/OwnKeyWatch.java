package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.GuardedEvents;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.Scheduler.Cancellable;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.events.EtcdEvents;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches deletions under each service the registry registers in, so that a key deleted behind its
 * back comes back at once rather than at the next check. A watch that ends is not restarted
 * blindly: its service is checked again (missing keys put back) and then watched from the revision
 * of that check, by one task for all such services that backs off while etcd fails, so an outage
 * does not turn into a request storm from registries with many services.
 *
 * <p>Confined to the registry's loop thread; jetcd's callbacks only hand work to it.
 */
public final class OwnKeyWatch {
  private static final Logger log = LoggerFactory.getLogger(OwnKeyWatch.class);
  private static final Duration FIRST_RESYNC = Duration.ofMillis(500);
  private static final Duration RESYNC_FLOOR = Duration.ofMillis(100);

  /** A key deleted from etcd at {@code revision}. */
  public record Deletion(String key, long revision) {}

  /** What the watch needs from the registry. */
  public interface Handler {
    /** Keys under a watched service were deleted. */
    void deleted(List<Deletion> deletions);

    /**
     * Checks {@code service}'s keys and watches it again; false when etcd could not be read, to try
     * again later.
     */
    boolean resync(String service);
  }

  private final Client client;
  private final String prefix;
  private final SerialLoop loop;
  private final Backoff backoff;
  private final Duration resyncCap;
  private final GuardedEvents events;
  private Handler handler;

  private final Map<String, Watch.Watcher> watches = new HashMap<>();
  private final Set<String> unwatched = new LinkedHashSet<>();
  private Cancellable resyncTask;
  private int resyncFailures;
  private boolean closed;

  /**
   * @param resyncCap the longest wait between two checks of services whose watch ended
   */
  public OwnKeyWatch(
      Client client,
      String prefix,
      SerialLoop loop,
      Backoff backoff,
      Duration resyncCap,
      GuardedEvents events) {
    this.client = client;
    this.prefix = prefix;
    this.loop = loop;
    this.backoff = backoff;
    this.resyncCap = resyncCap;
    this.events = events;
  }

  /** Who hears about deletions and checks services; set once, before the first watch. */
  public void handler(Handler handler) {
    this.handler = handler;
  }

  /** Watches {@code service}'s keys from {@code fromRevision}, unless they are watched already. */
  public void watch(String service, long fromRevision) {
    if (closed || watches.containsKey(service)) {
      return;
    }
    WatchOption option =
        WatchOption.builder().isPrefix(true).withNoPut(true).withRevision(fromRevision).build();
    Watch.Watcher[] holder = new Watch.Watcher[1];
    Watch.Listener listener =
        Watch.listener(
            response -> loop.execute(() -> deliver(service, holder[0], response)),
            error -> loop.execute(() -> ended(service, holder[0], error)));
    holder[0] =
        client
            .getWatchClient()
            .watch(KeyWriter.bytes(ServiceKeys.servicePrefix(prefix, service)), option, listener);
    watches.put(service, holder[0]);
  }

  /** Stops watching {@code service} (nothing of it is registered any more). */
  public void unwatch(String service) {
    Watch.Watcher watcher = watches.remove(service);
    if (watcher != null) {
      watcher.close();
    }
    unwatched.remove(service);
  }

  /** After a recovery put everything back at {@code revision}: watches every service anew. */
  public void restart(List<String> services, long fromRevision) {
    stopAll();
    for (String service : services) {
      watch(service, fromRevision);
    }
  }

  /** Stops every watch and the check of ended ones. */
  public void close() {
    closed = true;
    stopAll();
  }

  private void stopAll() {
    watches.values().forEach(Watch.Watcher::close);
    watches.clear();
    unwatched.clear();
    if (resyncTask != null) {
      resyncTask.cancel();
      resyncTask = null;
    }
  }

  private void deliver(String service, Watch.Watcher watcher, WatchResponse response) {
    if (closed || watches.get(service) != watcher) {
      return;
    }
    List<Deletion> deletions = new ArrayList<>();
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.DELETE) {
        KeyValue kv = event.getKeyValue();
        deletions.add(
            new Deletion(kv.getKey().toString(StandardCharsets.UTF_8), kv.getModRevision()));
      }
    }
    if (!deletions.isEmpty()) {
      handler.deleted(deletions);
    }
  }

  private void ended(String service, Watch.Watcher watcher, Throwable error) {
    if (closed || watches.get(service) != watcher) {
      return;
    }
    log.debug(
        "Watch of {}'s keys failed ({}); checking them and watching again",
        service,
        error.toString());
    EtcdEvents.WatchEnd cause = EtcdCalls.watchEnd(error);
    events.emit(e -> e.watchRestarted(EtcdEvents.Source.REGISTRY, cause));
    watches.remove(service);
    watcher.close();
    unwatched.add(service);
    scheduleResync(backoff.spread(FIRST_RESYNC));
  }

  private void scheduleResync(Duration delay) {
    if (resyncTask == null) {
      resyncTask = loop.schedule(this::resyncUnwatched, delay);
    }
  }

  private void resyncUnwatched() {
    resyncTask = null;
    for (String service : List.copyOf(unwatched)) {
      if (!handler.resync(service)) {
        resyncFailures++;
        scheduleResync(backoff.exponential(resyncFailures, RESYNC_FLOOR, resyncCap));
        return;
      }
      unwatched.remove(service);
    }
    resyncFailures = 0;
  }
}
