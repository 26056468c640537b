package dev.registryetcd.examples;

import dev.registryetcd.etcd.EtcdClients;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Reads the examples' keys straight from etcd, past the library under test. */
final class EtcdKeys implements AutoCloseable {
  private final io.etcd.jetcd.Client client;

  EtcdKeys(List<String> endpoints) {
    this.client = EtcdClients.newClient(endpoints);
  }

  /** The key the Go extension writes for an instance of {@code Hello} at {@code address}. */
  static String keyOf(InetSocketAddress address) {
    return "kitex/registry-etcd/"
        + SimpleServer.SERVICE
        + "/"
        + address.getHostString()
        + ":"
        + address.getPort();
  }

  /** The value of {@code key}, or {@code null} when it is absent. */
  String value(String key) throws Exception {
    List<KeyValue> kvs =
        client
            .getKVClient()
            .get(ByteSequence.from(key, StandardCharsets.UTF_8))
            .get(5, TimeUnit.SECONDS)
            .getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.close();
  }
}
