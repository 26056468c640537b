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
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A {@link RangeSource} on a jetcd {@link Client}: reads on jetcd's KV client, each bounded by
 * {@code timeout}; watches on the client's one {@link WatchStream}, shared with every other source
 * on the same client. {@link #close()} gives up its share; the client stays its owner's.
 *
 * <p>Many prefixes at once ({@link #readEach}) are read by read-only transactions of up to {@link
 * #RANGES_PER_TXN} ranges each: one request, one linearizable read and one snapshot of etcd for all
 * of them, where one range read per prefix would cost etcd and the client a request each (a
 * resolver subscribing to 1,000 services at once: 8 requests instead of 1,000).
 */
public final class StreamRangeSource implements RangeSource, AutoCloseable {
  /**
   * Ranges in one transaction: etcd's default {@code --max-txn-ops}. A cluster set lower refuses
   * the transaction, and its prefixes are then read one by one.
   */
  static final int RANGES_PER_TXN = 128;

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

  /**
   * Reads the prefixes in read-only transactions of up to {@link #RANGES_PER_TXN} ranges; each
   * prefix's read has the transaction's revision. A transaction etcd does not answer in time fails
   * each of its reads with the {@link TimeoutException}, as their own reads would have; one etcd
   * refuses (fewer ops allowed, no permission for one of the prefixes) or that fails otherwise is
   * replaced by one read per prefix, whose answers and errors are then each prefix's own.
   */
  @Override
  public List<CompletableFuture<RangeRead>> readEach(List<String> prefixes, boolean keysOnly) {
    if (prefixes.size() == 1) {
      return List.of(read(prefixes.get(0), keysOnly));
    }
    GetOption.Builder builder = GetOption.builder().isPrefix(true);
    if (keysOnly) {
      builder.withKeysOnly(true);
    }
    GetOption option = builder.build();
    List<CompletableFuture<RangeRead>> answers = new ArrayList<>(prefixes.size());
    for (int from = 0; from < prefixes.size(); from += RANGES_PER_TXN) {
      List<String> batch = prefixes.subList(from, Math.min(prefixes.size(), from + RANGES_PER_TXN));
      Op[] ranges = new Op[batch.size()];
      for (int i = 0; i < ranges.length; i++) {
        ranges[i] = Op.get(bytes(batch.get(i)), option);
      }
      CompletableFuture<List<RangeRead>> all =
          bounded(
              client.getKVClient().txn().Then(ranges).commit(),
              response -> toReads(response, ranges.length));
      for (int i = 0; i < batch.size(); i++) {
        answers.add(answerOf(all, i, batch.get(i), keysOnly));
      }
    }
    return answers;
  }

  /** The {@code index}th read of {@code all}, or the prefix's own read when {@code all} failed. */
  private CompletableFuture<RangeRead> answerOf(
      CompletableFuture<List<RangeRead>> all, int index, String prefix, boolean keysOnly) {
    CompletableFuture<RangeRead> answer = new CompletableFuture<>();
    all.whenComplete(
        (reads, error) -> {
          if (error == null) {
            answer.complete(reads.get(index));
          } else if (error instanceof TimeoutException) {
            answer.completeExceptionally(error);
          } else {
            try {
              read(prefix, keysOnly)
                  .whenComplete(
                      (read, readError) -> {
                        if (readError != null) {
                          answer.completeExceptionally(readError);
                        } else {
                          answer.complete(read);
                        }
                      });
            } catch (RuntimeException e) {
              answer.completeExceptionally(e);
            }
          }
        });
    return answer;
  }

  private static List<RangeRead> toReads(TxnResponse response, int expected) {
    List<GetResponse> gets = response.getGetResponses();
    if (gets.size() != expected) {
      throw new IllegalStateException(
          "etcd answered " + gets.size() + " of a transaction's " + expected + " range reads");
    }
    long revision = response.getHeader().getRevision();
    List<RangeRead> reads = new ArrayList<>(expected);
    for (GetResponse get : gets) {
      reads.add(new RangeRead(kvs(get), revision));
    }
    return reads;
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
