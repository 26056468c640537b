package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.testkit.EtcdBinary;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code etcd grpc-proxy start} on a free {@code 127.0.0.1} port in front of the cluster's
 * members, with etcd's defaults; its log goes to the run's log directory.
 */
final class GrpcProxy implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path log;

  private GrpcProxy(Process process, int port, Path dataDir, Path log) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
  }

  /**
   * Starts the proxy for {@code members} ({@code 127.0.0.1:PORT} each) and waits until it serves.
   *
   * @throws IllegalStateException when it does not serve within 15 s
   */
  static GrpcProxy start(List<String> members, Path logDir) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Files.createDirectories(logDir);
    Path dataDir = Files.createTempDirectory("grpc-proxy");
    Path log = logDir.resolve("grpc-proxy.log");
    List<String> command = new ArrayList<>();
    command.add(EtcdBinary.locate().toString());
    command.addAll(
        List.of(
            "grpc-proxy",
            "start",
            "--endpoints=" + String.join(",", members),
            "--listen-addr=127.0.0.1:" + port,
            "--advertise-client-url=127.0.0.1:" + port,
            "--data-dir=" + dataDir));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    GrpcProxy proxy = new GrpcProxy(process, port, dataDir, log);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      if (!process.isAlive()) {
        proxy.close();
        throw new IllegalStateException(
            "etcd grpc-proxy exited with " + process.exitValue() + "; see " + log);
      }
      boolean healthy;
      try {
        healthy = MemberReading.get(proxy.url() + "/health").contains("\"health\":\"true\"");
      } catch (IllegalStateException notYet) {
        healthy = false;
      }
      if (healthy) {
        return proxy;
      }
      if (System.nanoTime() > deadline) {
        proxy.close();
        throw new IllegalStateException("etcd grpc-proxy was not healthy within 15 s; see " + log);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://127.0.0.1:" + port;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long rssBytes() {
    return MemberReading.rss(process.pid());
  }

  Path log() {
    return log;
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
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind
    }
  }
}
