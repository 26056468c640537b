package dev.registryetcd.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What one etcd member says of its watches on {@code /metrics}, from etcd's side: how many gRPC
 * Watch streams and watchers it holds now, and how many Watch streams were ever started on it.
 *
 * @param streams {@code etcd_debugging_mvcc_watch_stream_total}: Watch streams open now
 * @param watchers {@code etcd_debugging_mvcc_watcher_total}: watchers open now, over all streams
 * @param streamsStarted {@code grpc_server_started_total{grpc_method="Watch"}}: streams ever
 *     started
 * @param residentBytes {@code process_resident_memory_bytes}: the member's resident memory
 * @param heapInUseBytes {@code go_memstats_heap_inuse_bytes}: Go's heap spans in use
 */
public record WatchMetrics(
    long streams, long watchers, long streamsStarted, long residentBytes, long heapInUseBytes) {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /**
   * Reads {@code member}'s {@code /metrics} (its metrics URL with TLS, else its own client URL,
   * never through the fault proxy).
   *
   * @throws IllegalStateException when the member does not answer within 5 s
   */
  public static WatchMetrics of(EtcdMember member) {
    return of(member.healthEndpoint());
  }

  /**
   * Reads the {@code /metrics} of the etcd member whose client (or metrics) URL is {@code base},
   * {@code http://127.0.0.1:PORT}.
   *
   * @throws IllegalStateException when the member does not answer within 5 s
   */
  public static WatchMetrics of(String base) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/metrics"))
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return parse(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(base + "/metrics: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading " + base + "/metrics", e);
    }
  }

  /** The figures in a Prometheus text exposition; a metric not there counts 0. */
  static WatchMetrics parse(String text) {
    long streams = 0;
    long watchers = 0;
    long started = 0;
    long resident = 0;
    long heap = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("etcd_debugging_mvcc_watch_stream_total ")) {
        streams = value(line);
      } else if (line.startsWith("etcd_debugging_mvcc_watcher_total ")) {
        watchers = value(line);
      } else if (line.startsWith("grpc_server_started_total{")
          && line.contains("grpc_method=\"Watch\"")) {
        started += value(line);
      } else if (line.startsWith("process_resident_memory_bytes ")) {
        resident = value(line);
      } else if (line.startsWith("go_memstats_heap_inuse_bytes ")) {
        heap = value(line);
      }
    }
    return new WatchMetrics(streams, watchers, started, resident, heap);
  }

  private static long value(String line) {
    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
  }
}
