package dev.registryetcd.benchmarks.baseline;

import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The baseline "etcd-floor": etcd's own put→watch delivery between two separate clients — a plain
 * put or delete on one, a plain watch on the other, no registry, no cache, no decoding. Nothing
 * built on etcd's watch can propagate faster, so it is the physical limit here.
 *
 * <p>The writer and the watcher each use the caller's client, which they do not close.
 */
public final class EtcdFloor {
  private EtcdFloor() {}

  /**
   * Receives the watched events, on a jetcd thread, with the {@code System.nanoTime()} of delivery.
   */
  @FunctionalInterface
  public interface Sink {
    /**
     * @param put true for a put, false for a delete
     * @param value the value put, or the previous value of a deleted key when asked for (else
     *     empty)
     */
    void onEvent(boolean put, String key, byte[] value, long deliveredNanos);
  }

  /**
   * Watches every key under {@code prefix} from the current revision on, so no event after this
   * returns is missed.
   *
   * @param previousValues whether deletes carry the deleted value (etcd's {@code prev_kv})
   */
  public static Watch.Watcher watch(
      Client client, String prefix, boolean previousValues, Sink sink) {
    ByteSequence range = bytes(prefix);
    long revision =
        await(
                client
                    .getKVClient()
                    .get(range, GetOption.builder().isPrefix(true).withCountOnly(true).build()),
                Duration.ofSeconds(10),
                "read " + prefix)
            .getHeader()
            .getRevision();
    WatchOption option =
        WatchOption.builder()
            .isPrefix(true)
            .withRevision(revision + 1)
            .withPrevKV(previousValues)
            .build();
    return client
        .getWatchClient()
        .watch(
            range,
            option,
            response -> {
              long now = System.nanoTime();
              for (WatchEvent event : response.getEvents()) {
                boolean put = event.getEventType() == WatchEvent.EventType.PUT;
                KeyValue kv = put ? event.getKeyValue() : event.getPrevKV();
                sink.onEvent(
                    put,
                    event.getKeyValue().getKey().toString(StandardCharsets.UTF_8),
                    kv == null ? new byte[0] : kv.getValue().getBytes(),
                    now);
              }
            });
  }

  /** The writing side: plain puts and deletes, without a lease. */
  public static final class Writer {
    private final Client client;
    private final Duration timeout;

    public Writer(Client client, Duration timeout) {
      this.client = client;
      this.timeout = timeout;
    }

    public void put(String key, byte[] value) {
      await(client.getKVClient().put(bytes(key), ByteSequence.from(value)), timeout, "put " + key);
    }

    public void delete(String key) {
      await(client.getKVClient().delete(bytes(key)), timeout, "delete " + key);
    }
  }

  private static <T> T await(CompletableFuture<T> call, Duration timeout, String what) {
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("etcd-floor " + what + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RegistryException("etcd-floor " + what + ": " + e, e);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
