package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;

/**
 * Turns etcd's authentication on through its client API (JSON over plain HTTP): a root user with a
 * password nobody learns, and one user confined to a key prefix.
 */
final class ClusterAuth {

  private ClusterAuth() {}

  /** The steps of {@link EtcdCluster#enableAuth(String, String, String)}. */
  static void enable(EtcdCluster cluster, String user, String password, String keyPrefix) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    if (keyPrefix == null || keyPrefix.isEmpty()) {
      throw new IllegalArgumentException("keyPrefix must not be empty, e.g. kitex/registry-etcd/");
    }
    if (cluster.config().tls() != null) {
      throw new UnsupportedOperationException(
          "enableAuth() is not supported on the TLS cluster "
              + cluster.name()
              + ": it calls etcd's client API, which the test kit does not call over TLS");
    }
    String role = "role-" + user;
    byte[] prefixBytes = keyPrefix.getBytes(StandardCharsets.UTF_8);
    String key = base64(prefixBytes);
    String rangeEnd = base64(prefixEnd(prefixBytes));
    call(
        cluster,
        "/v3/auth/user/add",
        "{\"name\":\"root\",\"password\":" + Json.quote(UUID.randomUUID().toString()) + "}");
    call(cluster, "/v3/auth/user/grant", "{\"user\":\"root\",\"role\":\"root\"}");
    call(cluster, "/v3/auth/role/add", "{\"name\":" + Json.quote(role) + "}");
    call(
        cluster,
        "/v3/auth/role/grant",
        "{\"name\":"
            + Json.quote(role)
            + ",\"perm\":{\"permType\":\"READWRITE\","
            + "\"key\":"
            + Json.quote(key)
            + ",\"range_end\":"
            + Json.quote(rangeEnd)
            + "}}");
    call(
        cluster,
        "/v3/auth/user/add",
        "{\"name\":" + Json.quote(user) + ",\"password\":" + Json.quote(password) + "}");
    call(
        cluster,
        "/v3/auth/user/grant",
        "{\"user\":" + Json.quote(user) + ",\"role\":" + Json.quote(role) + "}");
    call(cluster, "/v3/auth/enable", "{}");
  }

  private static void call(EtcdCluster cluster, String path, String json) {
    String url = cluster.member(0).directClientEndpoint() + path;
    EtcdHttp.Response response;
    try {
      response = EtcdHttp.post(url, json, cluster.startTimeout());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "enableAuth: " + path + " failed on etcd cluster " + cluster.name(), e);
    }
    if (response.status() != 200) {
      // the answer never holds a password: etcd does not echo request fields
      throw new IllegalStateException(
          "enableAuth: etcd answered "
              + path
              + " with "
              + response.status()
              + ": "
              + response.body());
    }
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * The end of the range of keys that start with {@code prefix}: its last byte below 0xff
   * incremented.
   */
  static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] end = Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return new byte[] {0}; // every key from the prefix on
  }
}
