package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.GuardedEvents;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import dev.registryetcd.events.EtcdEvents;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the keys under each service the registry registers in, on the shared read → watch →
 * re-read engine ({@link RangeWatch}): every read (the first, and each after the watch ended) is
 * compared with what the registry holds and what is missing is put back; every deletion seen by the
 * watch comes back at once rather than at the next check.
 *
 * <p>Confined to the registry's loop thread; the engine's jetcd callbacks only hand work to it.
 */
public final class OwnKeyWatch {
  private static final Logger log = LoggerFactory.getLogger(OwnKeyWatch.class);

  /** A key deleted from etcd at {@code revision}. */
  public record Deletion(String key, long revision) {}

  /** What the watch needs from the registry. */
  public interface Handler {
    /** Keys under a watched service were deleted. */
    void deleted(List<Deletion> deletions);

    /**
     * A read of {@code service}'s keys at {@code revision}: put back what the registry holds and
     * etcd lacks.
     */
    void read(String service, List<Kv> stored, long revision);
  }

  private final RangeSource source;
  private final String prefix;
  private final SerialLoop tasks;
  private final GuardedEvents events;
  private final Map<String, RangeWatch> watches = new HashMap<>();
  private Handler handler;
  private boolean closed;

  public OwnKeyWatch(RangeSource source, String prefix, SerialLoop loop, GuardedEvents events) {
    this.source = source;
    this.prefix = prefix;
    this.events = events;
    this.tasks = loop;
  }

  /** Who hears about deletions and reads; set once, before the first watch. */
  public void handler(Handler handler) {
    this.handler = handler;
  }

  /** Follows {@code service}'s keys, starting with a read, unless they are followed already. */
  public void watch(String service) {
    if (closed || watches.containsKey(service)) {
      return;
    }
    RangeWatch watch =
        new RangeWatch(
            new RangeWatch.Range(ServiceKeys.servicePrefix(prefix, service), false, true),
            source,
            tasks,
            Backoff.DEFAULT,
            new ServiceListener(service));
    watches.put(service, watch);
    watch.read();
  }

  /** Stops following {@code service} (nothing of it is registered any more). */
  public void unwatch(String service) {
    RangeWatch watch = watches.remove(service);
    if (watch != null) {
      watch.close();
    }
  }

  /** After a recovery put everything back: follows every service anew, from a fresh read. */
  public void restart(List<String> services) {
    stopAll();
    services.forEach(this::watch);
  }

  /** Stops every watch. */
  public void close() {
    closed = true;
    stopAll();
  }

  private void stopAll() {
    watches.values().forEach(RangeWatch::close);
    watches.clear();
  }

  /** One service's reads and deletions, on the registry's loop. */
  private final class ServiceListener implements RangeWatch.Listener {
    private final String service;

    ServiceListener(String service) {
      this.service = service;
    }

    @Override
    public void onRead(RangeRead read) {
      handler.read(service, read.kvs(), read.revision());
    }

    @Override
    public void onReadFailed(Throwable error) {
      log.debug("Reading {}'s keys failed ({}); trying again", service, error.toString());
      RangeWatch watch = watches.get(service);
      if (watch != null) {
        watch.readAfterFailure();
      }
    }

    @Override
    public void onEvents(List<KvEvent> batch, long receivedNanos) {
      List<Deletion> deletions = new ArrayList<>();
      for (KvEvent event : batch) {
        if (event.type() == KvEvent.Type.DELETE) {
          deletions.add(new Deletion(event.kv().key(), event.kv().modRevision()));
        }
      }
      if (!deletions.isEmpty()) {
        handler.deleted(deletions);
      }
    }

    @Override
    public void onRestart(Throwable cause) {
      log.debug("Watch of {}'s keys ended ({}); reading them and watching again", service, cause);
      EtcdEvents.WatchEnd end = EtcdCalls.watchEnd(cause);
      events.emit(e -> e.watchRestarted(EtcdEvents.Source.REGISTRY, end));
    }
  }
}
