package dev.registryetcd.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The values of keys as etcd holds them now, read by the kit's own client (JSON over plain HTTP to
 * a member's own client port, as {@link KeyHistory} reads), past the network-fault proxies and
 * apart from any client the test made: what a Go service would read, checked without the library
 * under test.
 *
 * <pre>{@code
 * KeyValues keys = KeyValues.of(etcd.cluster());
 * assertThat(keys.value("kitex/registry-etcd/echo/10.0.0.7:8888")).isEqualTo("{\"network\":...}");
 * }</pre>
 *
 * <p>Plaintext clusters without authentication only.
 */
public final class KeyValues {
  private static final Duration READ_BOUND = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final EtcdCluster cluster;

  private KeyValues(EtcdCluster cluster) {
    this.cluster = cluster;
  }

  /**
   * Reads from {@code cluster}.
   *
   * @throws UnsupportedOperationException on a TLS cluster
   */
  public static KeyValues of(EtcdCluster cluster) {
    Objects.requireNonNull(cluster, "cluster");
    if (cluster.tls().isPresent()) {
      throw new UnsupportedOperationException(
          "KeyValues is not supported on the TLS cluster "
              + cluster.name()
              + ": it calls etcd's client API, which the test kit does not call over TLS");
    }
    return new KeyValues(cluster);
  }

  /**
   * The value of {@code key} decoded as UTF-8, or {@code null} when etcd has no such key; a
   * linearizable read from any member that answers.
   *
   * @throws IllegalStateException if no member answers within 10 s
   */
  public String value(String key) {
    String request = "{\"key\":" + Json.quote(base64(key)) + "}";
    EtcdHttp.Response response =
        MemberCalls.untilAnswered(
            cluster,
            "KeyValues could not read " + key,
            READ_BOUND,
            endpoint -> EtcdHttp.post(endpoint + "/v3/kv/range", request, REQUEST_TIMEOUT));
    List<?> kvs = Json.list(Json.get(Json.parse(response.body()), "kvs"));
    if (kvs.isEmpty()) {
      return null;
    }
    // the gateway leaves out an empty value
    String value = Json.text(Json.get(kvs.get(0), "value"));
    return value == null
        ? ""
        : new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
