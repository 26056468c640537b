package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo's own reads and writes of etcd, through a raw jetcd client and each bounded by the dial
 * timeout; it remembers the keys it wrote, so that the demo can delete them from the user's etcd.
 */
final class DemoEtcd {
  private final Client raw;
  private final EtcdTarget target;
  private final List<String> written = new ArrayList<>();

  DemoEtcd(Client raw, EtcdTarget target) {
    this.raw = raw;
    this.target = target;
  }

  Client client() {
    return raw;
  }

  /** Puts {@code value} at {@code key}, to be deleted by {@link #deleteDemoKeys()}. */
  void put(String key, String value) {
    await(raw.getKVClient().put(bytes(key), bytes(value)), "put " + key);
    written.add(key);
  }

  /**
   * On the user's etcd: the keys the demo wrote itself, and its whole prefix when that is the
   * demo's own (instances leave with their registrations and leases).
   */
  void deleteDemoKeys() {
    for (String key : written) {
      await(raw.getKVClient().delete(bytes(key)), "delete " + key);
    }
    if (!target.prefixGiven()) {
      await(
          raw.getKVClient()
              .delete(bytes(target.rootKey()), DeleteOption.builder().isPrefix(true).build()),
          "delete " + target.rootKey());
    }
  }

  GetResponse get(String key, boolean prefix) {
    return await(
        raw.getKVClient().get(bytes(key), GetOption.builder().isPrefix(prefix).build()),
        "read " + key);
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("demo: interrupted during " + what, e);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new RegistryException(
          RegistryException.Reason.UNREACHABLE,
          what + ": etcd did not answer within " + DurationText.format(target.dialTimeout()),
          e);
    } catch (ExecutionException e) {
      throw new RegistryException(
          what + ": " + e.getCause(), e.getCause()); // OTHER: the jetcd error says more
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
