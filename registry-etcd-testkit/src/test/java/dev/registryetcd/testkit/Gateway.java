package dev.registryetcd.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Test-side client for etcd's HTTP endpoints, independent of the testkit's own probing code. */
final class Gateway {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .proxy(HttpClient.Builder.NO_PROXY)
          .build();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private Gateway() {}

  static HttpResponse<String> get(String url, Duration timeout)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static Object post(String url, String body) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "POST " + url + " -> " + response.statusCode() + ": " + response.body());
    }
    return Json.parse(response.body());
  }

  /** True if GET /health answers {"health":"true"} within the timeout. */
  static boolean healthy(String endpoint, Duration timeout) {
    try {
      HttpResponse<String> response = get(endpoint + "/health", timeout);
      return response.statusCode() == 200
          && "true".equals(Json.get(Json.parse(response.body()), "health"));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * What the member says of itself in {@code etcd_server_has_leader} on {@code /metrics}; throws if
   * it does not answer.
   */
  static boolean hasLeader(String endpoint) throws IOException, InterruptedException {
    HttpResponse<String> response = get(endpoint + "/metrics", TIMEOUT);
    return response
        .body()
        .lines()
        .filter(line -> line.startsWith("etcd_server_has_leader "))
        .anyMatch(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()) == 1.0);
  }

  /** Peer URLs of every member, as the member at {@code endpoint} lists them. */
  static List<String> peerUrls(String endpoint) throws IOException, InterruptedException {
    List<String> urls = new ArrayList<>();
    for (Object m :
        Json.list(Json.get(post(endpoint + "/v3/cluster/member/list", "{}"), "members"))) {
      for (Object url : Json.list(Json.get(m, "peerURLs"))) {
        urls.add(Json.text(url));
      }
    }
    return urls;
  }

  static void put(String endpoint, String key, String value)
      throws IOException, InterruptedException {
    post(
        endpoint + "/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
  }

  static void delete(String endpoint, String key) throws IOException, InterruptedException {
    post(endpoint + "/v3/kv/deleterange", "{\"key\":\"" + b64(key) + "\"}");
  }

  /** Linearizable read. */
  static Optional<String> read(String endpoint, String key)
      throws IOException, InterruptedException {
    return range(endpoint, "{\"key\":\"" + b64(key) + "\"}");
  }

  /** Serializable read: answered from the member's local data only. */
  static Optional<String> readLocal(String endpoint, String key)
      throws IOException, InterruptedException {
    return range(endpoint, "{\"key\":\"" + b64(key) + "\",\"serializable\":true}");
  }

  private static Optional<String> range(String endpoint, String body)
      throws IOException, InterruptedException {
    List<?> kvs = Json.list(Json.get(post(endpoint + "/v3/kv/range", body), "kvs"));
    if (kvs.isEmpty()) {
      return Optional.empty();
    }
    String value = Json.text(Json.get(kvs.get(0), "value"));
    return Optional.of(
        value == null ? "" : new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8));
  }

  /** [member_id, leader] as reported by the member itself. */
  static String[] status(String endpoint) throws IOException, InterruptedException {
    Object json = post(endpoint + "/v3/maintenance/status", "{}");
    return new String[] {
      Json.text(Json.get(Json.get(json, "header"), "member_id")),
      Json.text(Json.get(json, "leader"))
    };
  }

  /** Member names (empty for added-but-unstarted members). */
  static List<String> memberNames(String endpoint) throws IOException, InterruptedException {
    List<String> names = new ArrayList<>();
    for (Object m :
        Json.list(Json.get(post(endpoint + "/v3/cluster/member/list", "{}"), "members"))) {
      Object name = ((Map<?, ?>) m).get("name");
      names.add(name == null ? "" : name.toString());
    }
    return names;
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
