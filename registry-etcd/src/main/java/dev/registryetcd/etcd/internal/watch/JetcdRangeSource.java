package dev.registryetcd.etcd.internal.watch;

import dev.registryetcd.etcd.internal.ClientChannel;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** A {@link RangeSource} on a jetcd {@link Client}; every read is bounded by {@code timeout}. */
public final class JetcdRangeSource implements RangeSource {
  private final Client client;
  private final Duration timeout;

  public JetcdRangeSource(Client client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
  }

  @Override
  public CompletableFuture<RangeRead> read(String prefix, boolean keysOnly) {
    GetOption.Builder option = GetOption.builder().isPrefix(true);
    if (keysOnly) {
      option.withKeysOnly(true);
    }
    return bounded(
        client.getKVClient().get(bytes(prefix), option.build()), JetcdRangeSource::toRead);
  }

  /** {@code response} as a {@link RangeRead}, e.g. for {@link RangeWatch#accept}. */
  public static RangeRead toRead(GetResponse response) {
    return new RangeRead(kvs(response), response.getHeader().getRevision());
  }

  @Override
  public Watching watch(String prefix, long fromRevision, boolean noPut, WatchListener listener) {
    return new JetcdWatching(prefix, fromRevision, noPut, listener);
  }

  /** One jetcd watcher (one gRPC stream) at a time; a move starts the next from its revision. */
  private final class JetcdWatching implements Watching {
    private final String prefix;
    private final boolean noPut;
    private final WatchListener listener;
    private final AtomicLong next;
    private final AtomicInteger generation = new AtomicInteger();
    private volatile Watch.Watcher watcher;

    JetcdWatching(String prefix, long fromRevision, boolean noPut, WatchListener listener) {
      this.prefix = prefix;
      this.noPut = noPut;
      this.listener = listener;
      this.next = new AtomicLong(fromRevision);
      this.watcher = start(generation.get());
    }

    private Watch.Watcher start(int watcherGeneration) {
      // Require a leader: a member cut off from its peers ends the watch instead of keeping it
      // silently; report the creation: its header tells the member's revision at once.
      WatchOption.Builder option =
          WatchOption.builder()
              .isPrefix(true)
              .withRevision(next.get())
              .withRequireLeader(true)
              .withCreateNotify(true);
      if (noPut) {
        option.withNoPut(true);
      }
      return client
          .getWatchClient()
          .watch(
              bytes(prefix),
              option.build(),
              Watch.listener(
                  response -> {
                    if (watcherGeneration == generation.get()) {
                      List<KvEvent> events = events(response);
                      for (KvEvent event : events) {
                        next.accumulateAndGet(event.kv().modRevision() + 1, Math::max);
                      }
                      listener.onEvents(events, response.getHeader().getRevision());
                    }
                  },
                  error -> {
                    if (watcherGeneration == generation.get()) {
                      listener.onError(error);
                    }
                  },
                  () -> {
                    if (watcherGeneration == generation.get()) {
                      listener.onCompleted();
                    }
                  }));
    }

    @Override
    public void close() {
      generation.incrementAndGet();
      watcher.close();
    }

    @Override
    public void requestProgress() {
      watcher.requestProgress();
    }

    @Override
    public synchronized void moveToNewStream(Throwable why) {
      Watch.Watcher old = watcher;
      watcher = start(generation.incrementAndGet());
      old.close();
    }
  }

  @Override
  public CompletableFuture<Long> revision(String key, Duration timeout) {
    return bounded(
        client
            .getKVClient()
            .get(bytes(key), GetOption.builder().withCountOnly(true).withLimit(1).build()),
        response -> response.getHeader().getRevision(),
        timeout);
  }

  /**
   * {@code call} bounded by the timeout and mapped, failing with the call's own error: a mapped
   * future would wrap it in a {@code CompletionException}, and callers look at its type.
   */
  private <T, R> CompletableFuture<R> bounded(CompletableFuture<T> call, Function<T, R> map) {
    return bounded(call, map, timeout);
  }

  private <T, R> CompletableFuture<R> bounded(
      CompletableFuture<T> call, Function<T, R> map, Duration timeout) {
    CompletableFuture<R> result = new CompletableFuture<>();
    call.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (answer, error) -> {
              if (error != null) {
                // etcd did not answer: members whose connection failed are dialled again now,
                // not after gRPC's connect backoff (up to two minutes after a long outage); this
                // does not block, it only reschedules the channel's own reconnection
                ClientChannel.reconnectNow(client);
                result.completeExceptionally(error);
                return;
              }
              try {
                result.complete(map.apply(answer));
              } catch (RuntimeException e) {
                result.completeExceptionally(e);
              }
            });
    return result;
  }

  private static List<Kv> kvs(GetResponse response) {
    List<Kv> kvs = new ArrayList<>(response.getKvs().size());
    for (KeyValue kv : response.getKvs()) {
      kvs.add(kv(kv));
    }
    return kvs;
  }

  /** The puts and deletions of {@code response}; event types jetcd does not know are skipped. */
  private static List<KvEvent> events(WatchResponse response) {
    List<KvEvent> events = new ArrayList<>(response.getEvents().size());
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        events.add(new KvEvent(KvEvent.Type.PUT, kv(event.getKeyValue())));
      } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
        events.add(new KvEvent(KvEvent.Type.DELETE, kv(event.getKeyValue())));
      }
    }
    return events;
  }

  private static Kv kv(KeyValue kv) {
    return new Kv(
        kv.getKey().toString(StandardCharsets.UTF_8),
        kv.getValue().getBytes(),
        kv.getModRevision(),
        kv.getLease());
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
