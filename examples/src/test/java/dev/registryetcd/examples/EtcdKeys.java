package dev.registryetcd.examples;

import java.net.InetSocketAddress;

/**
 * The examples' keys as the Go extension writes them; read them straight from etcd, past the
 * library under test, with the test kit's {@link dev.registryetcd.testkit.KeyValues}.
 */
final class EtcdKeys {
  private EtcdKeys() {}

  /** The key the Go extension writes for an instance of {@code Hello} at {@code address}. */
  static String keyOf(InetSocketAddress address) {
    return "kitex/registry-etcd/"
        + SimpleServer.SERVICE
        + "/"
        + address.getHostString()
        + ":"
        + address.getPort();
  }
}
