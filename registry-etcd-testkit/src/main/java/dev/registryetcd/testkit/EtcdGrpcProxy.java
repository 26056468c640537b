package dev.registryetcd.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real {@code etcd grpc-proxy start} on a free {@code 127.0.0.1} port in front of a cluster's
 * members, with etcd's defaults (its range cache, watch coalescing, and no answer to progress
 * requests). Its output goes to a file in its own temporary directory unless given one, named when
 * it does not start; {@link #close()} stops it and deletes that directory.
 *
 * <pre>{@code
 * try (EtcdGrpcProxy proxy = EtcdGrpcProxy.start(cluster)) {
 *   client = Client.builder().endpoints(proxy.clientEndpoint()).build();
 * }
 * }</pre>
 */
public final class EtcdGrpcProxy implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

  private final Process process;
  private final int port;
  private final Path dir;
  private final Path log;

  private EtcdGrpcProxy(Process process, int port, Path dir, Path log) {
    this.process = process;
    this.port = port;
    this.dir = dir;
    this.log = log;
  }

  /**
   * Starts the proxy in front of every member of {@code cluster} (a plain-HTTP cluster; its client
   * proxies when it has network faults) and waits until it is healthy.
   *
   * @throws IllegalStateException when it exits or is not healthy within 15 s, naming its log
   */
  public static EtcdGrpcProxy start(EtcdCluster cluster) throws IOException {
    return start(cluster, null);
  }

  /**
   * As {@link #start(EtcdCluster)}, with the proxy's output appended to {@code logFile}, which
   * {@link #close()} leaves in place.
   */
  public static EtcdGrpcProxy start(EtcdCluster cluster, Path logFile) throws IOException {
    List<String> members =
        cluster.clientEndpointsAsHostPort().stream().collect(Collectors.toUnmodifiableList());
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path dir = Files.createTempDirectory("etcd-grpc-proxy");
    Path log = logFile == null ? dir.resolve("grpc-proxy.log") : logFile;
    if (logFile != null && logFile.getParent() != null) {
      Files.createDirectories(logFile.getParent());
    }
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
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    EtcdGrpcProxy proxy = new EtcdGrpcProxy(process, port, dir, log);
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!EtcdHttp.isHealthy(proxy.clientEndpoint(), EtcdHttp.PROBE_TIMEOUT)) {
      if (!process.isAlive()) {
        String exit = "etcd grpc-proxy exited with " + process.exitValue() + "; see " + log;
        proxy.close();
        throw new IllegalStateException(exit);
      }
      if (System.nanoTime() > deadline) {
        proxy.close();
        throw new IllegalStateException(
            "etcd grpc-proxy was not healthy within " + START_TIMEOUT.toSeconds() + " s");
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        proxy.close();
        throw new IllegalStateException("interrupted while starting etcd grpc-proxy", e);
      }
    }
    return proxy;
  }

  /** {@code http://127.0.0.1:PORT}, for a client whose only endpoint is the proxy. */
  public String clientEndpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** {@code 127.0.0.1:PORT}. */
  public String clientHostPort() {
    return "127.0.0.1:" + port;
  }

  /** Whether its process is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Its process id (to read its memory from {@code /proc}). */
  public long pid() {
    return process.pid();
  }

  /** Its output so far (for a failing test's message). */
  public Path logFile() {
    return log;
  }

  /** Stops the proxy (SIGTERM, then SIGKILL after 5 s) and deletes its directory. Idempotent. */
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
    } catch (IOException alreadyGone) {
      // deleted before, or a temporary directory left behind
    }
  }

  @Override
  public String toString() {
    return "etcd grpc-proxy at " + clientHostPort();
  }
}
