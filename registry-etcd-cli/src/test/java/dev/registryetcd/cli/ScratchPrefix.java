package dev.registryetcd.cli;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test's own key prefix on the test's etcd, and a client that writes and reads keys the way the
 * command under test sees them: {@code @RegisterExtension final ScratchPrefix keys = new
 * ScratchPrefix(etcd);} connects before each test and closes after it.
 */
final class ScratchPrefix implements BeforeEachCallback, AfterEachCallback {
  private final EtcdExtension etcd;
  private final String prefix = "test-" + UUID.randomUUID();
  private Client client;

  ScratchPrefix(EtcdExtension etcd) {
    this.etcd = etcd;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort());
  }

  /** A prefix no other test uses, so that each test sees only its own keys. */
  String prefix() {
    return prefix;
  }

  void put(String key, String value) throws Exception {
    put(key, value.getBytes(StandardCharsets.UTF_8));
  }

  void put(String key, byte[] value) throws Exception {
    client
        .getKVClient()
        .put(ByteSequence.from(key, StandardCharsets.UTF_8), ByteSequence.from(value))
        .get(5, TimeUnit.SECONDS);
  }

  List<KeyValue> get(String key) throws Exception {
    return client
        .getKVClient()
        .get(ByteSequence.from(key, StandardCharsets.UTF_8))
        .get(5, TimeUnit.SECONDS)
        .getKvs();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    client.close();
  }
}
