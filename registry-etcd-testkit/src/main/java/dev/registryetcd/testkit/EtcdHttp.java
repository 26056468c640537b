package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls to etcd's HTTP endpoints: {@code /health}, {@code /metrics} and the grpc-gateway JSON API
 * under {@code /v3}. Plain HTTP only: on TLS clusters the kit calls the metrics URL.
 */
final class EtcdHttp {

  /** Per-request bound for health probes; etcd itself spends up to 1 s on its own quorum read. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(1))
          .build();

  private EtcdHttp() {}

  record Response(int status, String body) {}

  /**
   * What {@code /v3/maintenance/status} says: the answering member's id and the leader it knows
   * ("0" if none).
   */
  record Status(String memberId, String leaderId) {
    boolean isLeader() {
      return !"0".equals(leaderId) && leaderId.equals(memberId);
    }
  }

  /**
   * One entry of {@code /v3/cluster/member/list}; {@code name} is empty for a member added but not
   * started.
   */
  record Member(String id, String name, List<String> peerUrls) {}

  static Response get(String url, Duration timeout) throws IOException {
    return send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(), timeout);
  }

  static Response post(String url, String json, Duration timeout) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return send(request, timeout);
  }

  private static Response send(HttpRequest request, Duration timeout) throws IOException {
    CompletableFuture<HttpResponse<String>> future =
        CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    try {
      HttpResponse<String> response = future.get(timeout.toMillis() + 200, TimeUnit.MILLISECONDS);
      return new Response(response.statusCode(), response.body());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new HttpTimeoutException(
          request.method() + " " + request.uri() + " timed out after " + Durations.format(timeout));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(request.method() + " " + request.uri() + " failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new InterruptedIOException("interrupted while calling " + request.uri());
    }
  }

  /** True if {@code GET /health} answers {@code {"health":"true"}} within the timeout. */
  static boolean isHealthy(String endpoint, Duration timeout) {
    try {
      Response response = get(endpoint + "/health", timeout);
      return response.status() == 200
          && "true".equals(Json.text(Json.get(Json.parse(response.body()), "health")));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * True if {@code GET /metrics} answers within the timeout with the gauge {@code
   * etcd_server_is_leader 1}; used on TLS clusters, where {@code /metrics} is served in plain HTTP
   * on the metrics URL.
   */
  static boolean isLeaderByMetrics(String metricsUrl, Duration timeout) {
    try {
      Response response = get(metricsUrl + "/metrics", timeout);
      return response.status() == 200
          && response
              .body()
              .lines()
              .anyMatch(
                  line ->
                      line.startsWith("etcd_server_is_leader ")
                          && Double.parseDouble(
                                  line.substring("etcd_server_is_leader ".length()).trim())
                              == 1.0);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The member's status, or empty if it does not answer within the timeout. */
  static Optional<Status> status(String endpoint, Duration timeout) {
    try {
      Response response = post(endpoint + "/v3/maintenance/status", "{}", timeout);
      if (response.status() != 200) {
        return Optional.empty();
      }
      Object json = Json.parse(response.body());
      String memberId = Json.text(Json.get(Json.get(json, "header"), "member_id"));
      String leader = Json.text(Json.get(json, "leader"));
      if (memberId == null) {
        return Optional.empty();
      }
      return Optional.of(new Status(memberId, leader == null ? "0" : leader));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The cluster's member list as seen by this endpoint, or empty if it does not answer. */
  static Optional<List<Member>> memberList(String endpoint, Duration timeout) {
    try {
      Response response = post(endpoint + "/v3/cluster/member/list", "{}", timeout);
      if (response.status() != 200) {
        return Optional.empty();
      }
      List<Member> members = new ArrayList<>();
      for (Object m : Json.list(Json.get(Json.parse(response.body()), "members"))) {
        List<String> peerUrls = new ArrayList<>();
        for (Object url : Json.list(Json.get(m, "peerURLs"))) {
          peerUrls.add(Json.text(url));
        }
        String name = Json.text(Json.get(m, "name"));
        members.add(
            new Member(
                Json.text(Json.get(m, "ID")), name == null ? "" : name, List.copyOf(peerUrls)));
      }
      return Optional.of(List.copyOf(members));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** POSTs and reports whether etcd answered 200; never throws. */
  static boolean tryPost(String url, String json, Duration timeout) {
    try {
      return post(url, json, timeout).status() == 200;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
