package dev.registryetcd.etcd.internal.stream;

import dev.registryetcd.testkit.EtcdBinary;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code etcd grpc-proxy start} on a free {@code 127.0.0.1} port in front of {@code
 * members}, with etcd's defaults, as the benchmarks' fleet scenario starts it; its output goes to a
 * file in its temporary directory, named when it does not start.
 */
final class GrpcProxyProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;

  private GrpcProxyProcess(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts the proxy for {@code members} ({@code 127.0.0.1:PORT} each) and waits until a read
   * through it is answered.
   *
   * @throws IllegalStateException when it does not answer within 15 s
   */
  static GrpcProxyProcess start(List<String> members) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory("grpc-proxy");
    Path log = dir.resolve("grpc-proxy.log");
    Process process =
        new ProcessBuilder(
                EtcdBinary.locate().toString(),
                "grpc-proxy",
                "start",
                "--endpoints=" + String.join(",", members),
                "--listen-addr=127.0.0.1:" + port,
                "--advertise-client-url=127.0.0.1:" + port,
                "--data-dir=" + dir.resolve("data"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    GrpcProxyProcess proxy = new GrpcProxyProcess(process, port, dir);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    try (Client client = Client.builder().endpoints(proxy.url()).build()) {
      while (true) {
        if (!process.isAlive()) {
          proxy.close();
          throw new IllegalStateException(
              "etcd grpc-proxy exited with " + process.exitValue() + "; see " + log);
        }
        try {
          client
              .getKVClient()
              .get(ByteSequence.from("grpc-proxy-ready", StandardCharsets.UTF_8))
              .get(1, TimeUnit.SECONDS);
          return proxy;
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            proxy.close();
            throw new IllegalStateException("etcd grpc-proxy did not answer within 15 s", notYet);
          }
          TimeUnit.MILLISECONDS.sleep(100);
        }
      }
    }
  }

  /** {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://127.0.0.1:" + port;
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
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind
    }
  }
}
