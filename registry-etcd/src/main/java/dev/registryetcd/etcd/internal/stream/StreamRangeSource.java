package dev.registryetcd.etcd.internal.stream;

import dev.registryetcd.etcd.internal.ClientChannel;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A {@link RangeSource} on a jetcd {@link Client}: reads on jetcd's KV client, each bounded by
 * {@code timeout}; watches on the client's one {@link WatchStream}, shared with every other source
 * on the same client. {@link #close()} gives up its share; the client stays its owner's.
 */
public final class StreamRangeSource implements RangeSource, AutoCloseable {
  private final Client client;
  private final Duration timeout;
  private final WatchStream stream;
  private final AtomicBoolean released = new AtomicBoolean();

  /**
   * @throws IllegalStateException when the client is not a jetcd 0.8.7 client
   */
  public StreamRangeSource(Client client, Duration timeout) {
    this.client = client;
    this.timeout = timeout;
    this.stream = WatchStreams.acquire(client);
  }

  /** The client's shared watch stream. */
  public WatchStream stream() {
    return stream;
  }

  @Override
  public CompletableFuture<RangeRead> read(String prefix, boolean keysOnly) {
    GetOption.Builder option = GetOption.builder().isPrefix(true);
    if (keysOnly) {
      option.withKeysOnly(true);
    }
    return bounded(
        client.getKVClient().get(bytes(prefix), option.build()), StreamRangeSource::toRead);
  }

  /** {@code response} as a {@link RangeRead}, e.g. for {@link RangeWatch#accept}. */
  public static RangeRead toRead(GetResponse response) {
    return new RangeRead(kvs(response), response.getHeader().getRevision());
  }

  /** Watches on the client's one shared stream, see {@link WatchStream}. */
  @Override
  public Watching watch(String prefix, long fromRevision, boolean noPut, WatchListener listener) {
    if (released.get()) {
      throw new IllegalStateException("the watch source is closed");
    }
    return stream.watch(prefix, fromRevision, noPut, listener);
  }

  /** Gives up this source's share of the client's watch stream (closed with its last user). */
  @Override
  public void close() {
    if (released.compareAndSet(false, true)) {
      WatchStreams.release(client);
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
