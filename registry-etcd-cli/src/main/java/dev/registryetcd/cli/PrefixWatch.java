package dev.registryetcd.cli;

import dev.registryetcd.cli.StoredValue.Skipped;
import dev.registryetcd.cli.StoredValue.StoredInstance;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.stream.StreamRangeSource;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Follows every instance under the registry prefix with a raw etcd watch and reports each change as
 * a line ({@code + echo 10.0.0.7:8888 weight=10 tags=-}, {@code ~ ...}, {@code - ...}), starting
 * with the current instances as {@code +} lines. Values that are not instances go to {@code err} as
 * {@code !} lines. When the watch ends (etcd restarted, compaction) it reads the prefix again and
 * reports the difference, so nothing is silently missed.
 *
 * <p>The read, watch, read-again cycle is the shared {@link RangeWatch}; this class only turns what
 * it reports into lines.
 *
 * <p>Threads: one daemon thread of its own handles every read and event in order and owns the
 * state; jetcd's callbacks only hand work to it. {@link #close()} stops it; the caller owns the
 * client.
 */
final class PrefixWatch implements AutoCloseable, RangeWatch.Listener {
  private final Client client;
  private final EtcdTarget target;
  private final WatchCommand.ChangeSink lines;
  private final PrintWriter err;
  private final SerialLoop loop;
  private final StreamRangeSource source;
  private final RangeWatch watch;

  // Owned by the loop thread.
  private final Map<String, StoredInstance> known = new HashMap<>();
  private final Map<String, String> skipped = new HashMap<>();

  /** Counts watch restarts and successful reads, so a pending complaint knows it is stale. */
  private long restarts;

  /** Whether "lost etcd" was said and "answers again" not yet. */
  private boolean complained;

  private PrefixWatch(
      Client client, EtcdTarget target, WatchCommand.ChangeSink lines, PrintWriter err) {
    this.client = client;
    this.target = target;
    this.lines = lines;
    this.err = err;
    this.loop = new SerialLoop("registry-etcd-watch", () -> {});
    this.source = new StreamRangeSource(client, target.dialTimeout());
    // The first re-read after a watch ends is at once; then 200 ms doubling to 5 s.
    this.watch =
        new RangeWatch(
            RangeWatch.Range.of(target.rootKey()), source, loop, Backoff.FIRST_AT_ONCE, this);
  }

  /**
   * Reads the prefix, reports its instances as {@code +} lines, and watches it.
   *
   * @throws dev.registryetcd.registry.RegistryException when the first read fails
   */
  static PrefixWatch start(
      Client client, EtcdTarget target, WatchCommand.ChangeSink lines, PrintWriter err) {
    PrefixWatch watch = new PrefixWatch(client, target, lines, err);
    try {
      RangeRead first = StreamRangeSource.toRead(watch.read());
      // the current instances come first
      watch.loop.call(
          () -> {
            watch.watch.accept(first);
            return null;
          },
          target.dialTimeout(),
          "watch " + target.rootKey());
      return watch;
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

  /** Reports the difference between what was known and {@code read}. */
  @Override
  public void onRead(RangeRead read) {
    restarts++; // a read succeeded: no pending complaint applies
    saidBackIfComplained();
    Map<String, Kv> now = new TreeMap<>();
    for (Kv kv : read.kvs()) {
      now.put(kv.key(), kv);
    }
    for (String key : new TreeMap<>(known).keySet()) {
      if (!now.containsKey(key)) {
        removed(key);
      }
    }
    skipped.keySet().retainAll(now.keySet());
    for (Kv kv : now.values()) {
      put(kv);
    }
  }

  @Override
  public void onReadFailed(Throwable error) {
    watch.readAfterFailure();
  }

  @Override
  public void onEvents(List<KvEvent> events, long receivedNanos) {
    saidBackIfComplained();
    for (KvEvent event : events) {
      if (event.type() == KvEvent.Type.PUT) {
        put(event.kv());
      } else {
        String key = event.kv().key();
        skipped.remove(key);
        removed(key);
      }
    }
  }

  /**
   * The watch ended and is read again, or was resumed on a new stream. One member of several going
   * away costs a moment, not a line: only when etcd has not answered the watch one dial timeout
   * later (no read, no event, no creation of the resumed watch) does it say that etcd is lost, and
   * then that it is back as soon as etcd answers.
   */
  @Override
  public void onRestart(Throwable cause) {
    if (cause == null) {
      return;
    }
    long restart = ++restarts;
    loop.schedule(
        () -> {
          if (restart == restarts && !complained && !watch.hasAnsweredSinceRestart()) {
            complained = true;
            err.println(
                "registry-etcd: lost etcd ("
                    + DurationText.humanize(Failures.describe(cause, target))
                    + "); changes follow once it is back");
            err.flush();
            awaitAnswer();
          }
        },
        target.dialTimeout());
  }

  /** After "lost etcd": says it is back once the watch answers, read or resumed. */
  private void awaitAnswer() {
    loop.schedule(
        () -> {
          if (watch.hasAnsweredSinceRestart()) {
            saidBackIfComplained();
          } else if (complained) {
            awaitAnswer();
          }
        },
        Duration.ofMillis(500));
  }

  private void saidBackIfComplained() {
    if (complained) {
      complained = false;
      err.println("registry-etcd: etcd answers again; following changes");
      err.flush();
    }
  }

  private void put(Kv kv) {
    String key = kv.key();
    StoredValue value = StoredValue.decode(target.prefix(), key, kv.value(), kv.lease());
    if (value instanceof StoredInstance instance) {
      skipped.remove(key);
      StoredInstance before = known.put(key, instance);
      if (before == null) {
        lines.change('+', instance.service(), instance.instance());
      } else if (!before.instance().equals(instance.instance())) {
        lines.change('~', instance.service(), instance.instance());
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
      lines.change('-', before.service(), before.instance());
    }
  }

  /** Stops watching and the thread; idempotent. */
  @Override
  public void close() {
    try {
      loop.close(watch::close, target.dialTimeout());
    } finally {
      source.close();
    }
  }
}
