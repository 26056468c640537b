package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.testkit.WatchMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One reading of one etcd process (a member or a grpc-proxy): its watch figures from its own {@code
 * /metrics}, and its resident memory from the kernel ({@code /proc/<pid>/status} {@code VmRSS}).
 *
 * @param streams {@code etcd_debugging_mvcc_watch_stream_total}: Watch streams open now
 * @param watchers {@code etcd_debugging_mvcc_watcher_total}: watchers open now
 * @param streamsStarted {@code grpc_server_started_total{grpc_method="Watch"}}: streams ever
 *     started
 * @param rssBytes {@code VmRSS} of the process
 * @param anonBytes {@code RssAnon} of the process: its resident memory less mapped files (etcd maps
 *     its bbolt database file, whose pages count in {@code VmRSS} as they are touched)
 * @param heapInUseBytes {@code go_memstats_heap_inuse_bytes}: Go's heap spans in use
 */
record MemberReading(
    long streams,
    long watchers,
    long streamsStarted,
    long rssBytes,
    long anonBytes,
    long heapInUseBytes) {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Reads {@code base + "/metrics"} and the status of process {@code pid}. */
  static MemberReading of(String base, long pid) {
    WatchMetrics metrics = WatchMetrics.of(base);
    return new MemberReading(
        metrics.streams(),
        metrics.watchers(),
        metrics.streamsStarted(),
        status(pid, "VmRSS:"),
        status(pid, "RssAnon:"),
        metrics.heapInUseBytes());
  }

  /** {@code VmRSS} of {@code pid} in bytes. */
  static long rss(long pid) {
    return status(pid, "VmRSS:");
  }

  /** The field {@code name} (in kB) of {@code /proc/<pid>/status}, in bytes. */
  private static long status(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      throw new IllegalStateException("no " + name + " in /proc/" + pid + "/status");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status: " + e, e);
    }
  }

  /** A text read over HTTP, bounded by 5 s. */
  static String get(String url) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new IllegalStateException(url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading " + url, e);
    }
  }
}
