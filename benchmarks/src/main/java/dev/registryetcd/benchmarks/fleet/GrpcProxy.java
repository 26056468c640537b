package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdGrpcProxy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The test kit's real {@code etcd grpc-proxy} ({@link EtcdGrpcProxy}) in front of the cluster, with
 * what the fleet scenario reads of it: its own metrics and its resident memory; its log goes to the
 * run's log directory.
 */
final class GrpcProxy implements AutoCloseable {
  private final EtcdGrpcProxy proxy;

  private GrpcProxy(EtcdGrpcProxy proxy) {
    this.proxy = proxy;
  }

  /**
   * Starts the proxy in front of {@code cluster}'s members and waits until it is healthy.
   *
   * @throws IllegalStateException when it is not healthy within 15 s
   */
  static GrpcProxy start(EtcdCluster cluster, Path logDir) throws IOException {
    return new GrpcProxy(EtcdGrpcProxy.start(cluster, logDir.resolve("grpc-proxy.log")));
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return proxy.clientEndpoint();
  }

  boolean isAlive() {
    return proxy.isRunning();
  }

  long rssBytes() {
    return MemberReading.rss(proxy.pid());
  }

  Path log() {
    return proxy.logFile();
  }

  /**
   * The proxy's own {@code etcd_grpc_proxy_*} figures (coalesced watchers and events, its range
   * cache) from its {@code /metrics}. etcd 3.4's proxy has no {@code /proxy/metrics}: the rest of
   * its {@code /metrics} is a member's, fetched through it.
   */
  Map<String, Double> metrics() {
    Map<String, Double> figures = new LinkedHashMap<>();
    for (String line : MemberReading.get(url() + "/metrics").split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      if (line.startsWith("etcd_grpc_proxy_")) {
        int space = line.lastIndexOf(' ');
        double value = Double.parseDouble(line.substring(space + 1).trim());
        if (value != 0) {
          figures.put(line.substring(0, space), value);
        }
      }
    }
    return figures;
  }

  @Override
  public void close() {
    proxy.close();
  }
}
