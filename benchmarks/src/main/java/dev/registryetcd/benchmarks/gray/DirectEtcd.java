package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.PREFIX;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.WATCHED_PREFIX;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The scenario's own calls to etcd through plain jetcd clients of the members' own ports, apart
 * from the sides measured: counts, the watched service, clearing the prefix, retrying.
 */
final class DirectEtcd {

  private DirectEtcd() {}

  interface Call {
    Object call() throws Exception;
  }

  /** Calls until it succeeds, for at most {@code bound}; rethrows the last failure. */
  static void retry(Call call, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      try {
        call.call();
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  interface Read<T> {
    T read(Client client) throws Exception;
  }

  /** Reads through the first member that answers: just after a restart some may still elect. */
  static <T> T readAny(List<Client> members, Read<T> read) throws Exception {
    Exception last = null;
    for (Client client : members) {
      try {
        return read.read(client);
      } catch (Exception e) {
        last = e;
      }
    }
    throw last;
  }

  static int count(Client client, String prefix) throws Exception {
    return (int)
        client
            .getKVClient()
            .get(bytes(prefix), GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(1, TimeUnit.SECONDS)
            .getCount();
  }

  static Set<String> watched(Client client) throws Exception {
    Set<String> addresses = new HashSet<>();
    for (KeyValue kv :
        client
            .getKVClient()
            .get(bytes(WATCHED_PREFIX), GetOption.builder().isPrefix(true).build())
            .get(1, TimeUnit.SECONDS)
            .getKvs()) {
      addresses.add(
          kv.getKey().toString(StandardCharsets.UTF_8).substring(WATCHED_PREFIX.length()));
    }
    return addresses;
  }

  static void clear(Client direct) throws Exception {
    retry(
        () ->
            direct
                .getKVClient()
                .delete(bytes(PREFIX + "/"), DeleteOption.builder().isPrefix(true).build())
                .get(5, TimeUnit.SECONDS),
        Duration.ofSeconds(30));
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
