package dev.registryetcd.cli;

import dev.registryetcd.cli.StoredValue.Skipped;
import dev.registryetcd.cli.StoredValue.StoredInstance;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows every instance under the registry prefix with a raw etcd watch and reports each change as
 * a line ({@code + echo 10.0.0.7:8888 weight=10 tags=-}, {@code ~ ...}, {@code - ...}), starting
 * with the current instances as {@code +} lines. Values that are not instances go to {@code err} as
 * {@code !} lines. When the watch ends (etcd restarted, compaction) it reads the prefix again and
 * reports the difference, so nothing is silently missed.
 *
 * <p>Threads: one daemon thread of its own handles every read and event in order; jetcd's callbacks
 * only hand work to it. {@link #close()} stops it; the caller owns the client.
 */
final class PrefixWatch implements AutoCloseable {
  private static final Duration FIRST_RETRY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final Client client;
  private final EtcdTarget target;
  private final Consumer<String> lines;
  private final PrintWriter err;
  private final ScheduledExecutorService loop;

  // Owned by the loop thread.
  private final Map<String, StoredInstance> known = new HashMap<>();
  private final Map<String, String> skipped = new HashMap<>();
  private Watch.Watcher watcher;
  private int generation;
  private int failures;
  private boolean closed;

  private PrefixWatch(Client client, EtcdTarget target, Consumer<String> lines, PrintWriter err) {
    this.client = client;
    this.target = target;
    this.lines = lines;
    this.err = err;
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "registry-etcd-watch");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.loop = executor;
  }

  /**
   * Reads the prefix, reports its instances as {@code +} lines, and watches it.
   *
   * @throws dev.registryetcd.registry.RegistryException when the first read fails
   */
  static PrefixWatch start(
      Client client, EtcdTarget target, Consumer<String> lines, PrintWriter err) {
    PrefixWatch watch = new PrefixWatch(client, target, lines, err);
    try {
      GetResponse first = watch.read();
      watch.loop.submit(() -> watch.onRead(first)).get(); // the current instances come first
      return watch;
    } catch (InterruptedException e) {
      watch.close();
      Thread.currentThread().interrupt();
      throw new RegistryException("watch " + target.rootKey() + ": interrupted", e);
    } catch (ExecutionException e) {
      watch.close();
      throw new RegistryException(
          "watch " + target.rootKey() + ": " + e.getCause().getMessage(), e.getCause());
    } catch (RuntimeException e) {
      watch.close();
      throw e;
    }
  }

  private GetResponse read() {
    return EtcdRequests.await(
        client
            .getKVClient()
            .get(
                RegistryContents.bytes(target.rootKey()),
                GetOption.builder().isPrefix(true).build()),
        target.dialTimeout(),
        "read " + target.rootKey());
  }

  /**
   * Reports the difference between what was known and {@code response}, then watches from its
   * revision.
   */
  private void onRead(GetResponse response) {
    if (closed) {
      return;
    }
    Map<String, KeyValue> now = new TreeMap<>();
    for (KeyValue kv : response.getKvs()) {
      now.put(kv.getKey().toString(StandardCharsets.UTF_8), kv);
    }
    for (String key : new TreeMap<>(known).keySet()) {
      if (!now.containsKey(key)) {
        removed(key);
      }
    }
    skipped.keySet().retainAll(now.keySet());
    for (KeyValue kv : now.values()) {
      put(kv);
    }
    failures = 0;
    watch(response.getHeader().getRevision() + 1);
  }

  private void watch(long fromRevision) {
    int watchGeneration = ++generation;
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
    Watch.Listener listener =
        Watch.listener(
            response -> execute(() -> onEvents(watchGeneration, response)),
            error -> execute(() -> onWatchEnded(watchGeneration, error)),
            () -> execute(() -> onWatchEnded(watchGeneration, null)));
    watcher =
        client.getWatchClient().watch(RegistryContents.bytes(target.rootKey()), option, listener);
  }

  private void onEvents(int watchGeneration, WatchResponse response) {
    if (closed || watchGeneration != generation) {
      return;
    }
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        put(event.getKeyValue());
      } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
        String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
        skipped.remove(key);
        removed(key);
      }
    }
  }

  private void put(KeyValue kv) {
    String key = kv.getKey().toString(StandardCharsets.UTF_8);
    StoredValue value =
        StoredValue.decode(target.rootKey(), key, kv.getValue().getBytes(), kv.getLease());
    if (value instanceof StoredInstance instance) {
      skipped.remove(key);
      StoredInstance before = known.put(key, instance);
      if (before == null) {
        lines.accept(InstanceText.line('+', instance.service(), instance.instance()));
      } else if (!before.instance().equals(instance.instance())) {
        lines.accept(InstanceText.line('~', instance.service(), instance.instance()));
      }
    } else {
      Skipped skip = (Skipped) value;
      removed(key); // an instance whose value turned to garbage is gone for every resolver
      if (!skip.reason().equals(skipped.put(key, skip.reason()))) {
        err.println(skip.line());
        err.flush();
      }
    }
  }

  private void removed(String key) {
    StoredInstance before = known.remove(key);
    if (before != null) {
      lines.accept(InstanceText.line('-', before.service(), before.instance()));
    }
  }

  private void onWatchEnded(int watchGeneration, Throwable error) {
    if (closed || watchGeneration != generation) {
      return;
    }
    ++generation; // ignore whatever the old watch still delivers
    if (watcher != null) {
      watcher.close();
      watcher = null;
    }
    failures++;
    if (failures == 1 && error != null) {
      err.println(
          "registry-etcd: the watch of "
              + target.rootKey()
              + " ended ("
              + Failures.describe(error, target)
              + "); reading it again");
      err.flush();
    }
    schedule(this::resync, failures == 1 ? Duration.ZERO : backoff(failures));
  }

  private void resync() {
    if (closed) {
      return;
    }
    int readGeneration = generation;
    client
        .getKVClient()
        .get(RegistryContents.bytes(target.rootKey()), GetOption.builder().isPrefix(true).build())
        .orTimeout(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (response, error) ->
                execute(
                    () -> {
                      if (closed || readGeneration != generation) {
                        return;
                      }
                      if (error != null) {
                        failures++;
                        schedule(this::resync, backoff(failures));
                      } else {
                        onRead(response);
                      }
                    }));
  }

  /** 100 ms doubling to 5 s, with jitter so that many watchers do not retry in step. */
  private static Duration backoff(int failures) {
    long base =
        Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(failures - 1, 10));
    return Duration.ofMillis(
        (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
  }

  private void execute(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException closedAlready) {
      // closed: nothing left to report
    }
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closedAlready) {
      // closed
    }
  }

  /** Stops watching and the thread; idempotent. */
  @Override
  public void close() {
    try {
      loop.submit(
              () -> {
                closed = true;
                if (watcher != null) {
                  watcher.close();
                  watcher = null;
                }
              })
          .get(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception alreadyClosedOrStuck) {
      // closing anyway below
    } finally {
      ((ExecutorService) loop).shutdownNow();
    }
  }
}
