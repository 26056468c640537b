package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The keys of a test's etcd as Go reads and writes them, straight through a jetcd client of the
 * test's own, past the starter: {@code @RegisterExtension static final EtcdKeys keys = new
 * EtcdKeys(etcd);}. The client is made at first use (so it does not matter which extension JUnit
 * runs first) and closed after the test class.
 */
final class EtcdKeys implements AfterAllCallback {
  private final EtcdExtension etcd;
  private Client client;

  EtcdKeys(EtcdExtension etcd) {
    this.etcd = etcd;
  }

  /** The property that points the starter at this etcd. */
  String endpointsProperty() {
    return "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort());
  }

  /** The client, for what the other methods do not do (e.g. revoking a lease). */
  synchronized Client client() {
    if (client == null) {
      client = EtcdClients.newClient(etcd.clientEndpoints());
    }
    return client;
  }

  /** The value of {@code key}, or {@code null} when there is none. */
  String value(String key) throws Exception {
    List<KeyValue> kvs =
        client()
            .getKVClient()
            .get(ByteSequence.from(key, UTF_8))
            .get(10, TimeUnit.SECONDS)
            .getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(UTF_8);
  }

  /** What a Go resolver reads: every key under {@code prefix} with its value, in key order. */
  Map<String, String> under(String prefix) throws Exception {
    Map<String, String> found = new TreeMap<>();
    for (KeyValue kv :
        client()
            .getKVClient()
            .get(ByteSequence.from(prefix, UTF_8), GetOption.builder().isPrefix(true).build())
            .get(10, TimeUnit.SECONDS)
            .getKvs()) {
      found.put(kv.getKey().toString(UTF_8), kv.getValue().toString(UTF_8));
    }
    return found;
  }

  /** Puts {@code value} under {@code key}, without a lease, as a Go service's raw value. */
  void put(String key, String value) throws Exception {
    client()
        .getKVClient()
        .put(ByteSequence.from(key, UTF_8), ByteSequence.from(value, UTF_8))
        .get(10, TimeUnit.SECONDS);
  }

  void delete(String key) throws Exception {
    client().getKVClient().delete(ByteSequence.from(key, UTF_8)).get(10, TimeUnit.SECONDS);
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
