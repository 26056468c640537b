package dev.registryetcd.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Every event under a key prefix between two moments, as etcd itself recorded them: read afterwards
 * with a watch from the first moment's revision, so that no event is missed while a member was
 * frozen or cut off (a live watch could have sat on that very member). The history is read by the
 * kit's own client, JSON over plain HTTP to each member's own client port, past the {@link
 * EtcdCluster.Builder#networkFaults() network-fault proxies} and apart from any client the test
 * made.
 *
 * <pre>{@code
 * KeyHistory history = KeyHistory.startingNow(etcd.cluster(), "kitex/registry-etcd/");
 * member.freeze(); ... member.thaw();
 * List<KeyHistory.Event> deletions =
 *     history.untilNow().stream().filter(e -> e.type() == KeyHistory.Type.DELETE).toList();
 * }</pre>
 *
 * <p>To mark where the history ends, {@link #untilNow()} puts and then deletes one key of its own,
 * {@code <prefix>~history-sentinel}, which the events leave out. Plaintext clusters without
 * authentication only; etcd must not have compacted the history away.
 */
public final class KeyHistory {

  private static final String SENTINEL = "~history-sentinel";
  private static final Duration REVISION_BOUND = Duration.ofSeconds(10);
  // a member just thawed or healed may call an election: its first writes can time out
  private static final Duration WRITE_BOUND = Duration.ofSeconds(30);
  private static final Duration WATCH_BOUND = Duration.ofSeconds(10);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** What happened to a key. */
  public enum Type {
    /** The key was written: created or changed. */
    PUT,
    /** The key was deleted, by a client or by its lease's expiry. */
    DELETE
  }

  /**
   * One event: a put or a delete of a key, at a revision.
   *
   * @param type a put or a delete
   * @param key the key, decoded as UTF-8
   * @param revision the revision of the put or delete
   */
  public record Event(Type type, String key, long revision) {}

  private final EtcdCluster cluster;
  private final String prefix;
  private final long fromRevision;

  private KeyHistory(EtcdCluster cluster, String prefix, long fromRevision) {
    this.cluster = cluster;
    this.prefix = prefix;
    this.fromRevision = fromRevision;
  }

  /**
   * Starts recording now: the events after etcd's current revision count.
   *
   * @throws IllegalStateException if no member answers within 10 s
   * @throws UnsupportedOperationException on a TLS cluster
   */
  public static KeyHistory startingNow(EtcdCluster cluster, String prefix) {
    KeyHistory history = since(cluster, prefix, 0);
    return new KeyHistory(cluster, prefix, history.currentRevision());
  }

  /** The history of the events after {@code revision}. */
  public static KeyHistory since(EtcdCluster cluster, String prefix, long revision) {
    Objects.requireNonNull(cluster, "cluster");
    if (prefix == null || prefix.isEmpty()) {
      throw new IllegalArgumentException("prefix must not be empty, e.g. kitex/registry-etcd/");
    }
    if (revision < 0) {
      throw new IllegalArgumentException("revision must be 0 or more, got " + revision);
    }
    if (cluster.tls().isPresent()) {
      throw new UnsupportedOperationException(
          "KeyHistory is not supported on the TLS cluster "
              + cluster.name()
              + ": it calls etcd's client API, which the test kit does not call over TLS");
    }
    return new KeyHistory(cluster, prefix, revision);
  }

  /** The revision the history starts after. */
  public long fromRevision() {
    return fromRevision;
  }

  /**
   * Every event from the start until now, oldest first, read from any member that answers.
   *
   * @throws IllegalStateException if etcd takes no write within 30 s, if no member delivers the
   *     history within 10 s, or if it was compacted
   */
  public List<Event> untilNow() {
    String sentinel = prefix + SENTINEL;
    long end =
        revisionOf(
            retry(
                "put " + sentinel,
                WRITE_BOUND,
                endpoint ->
                    post(
                        endpoint + "/v3/kv/put",
                        "{\"key\":" + quoted(sentinel) + ",\"value\":\"\"}",
                        REQUEST_TIMEOUT)));
    List<Event> events = watch(sentinel, end);
    retry(
        "delete " + sentinel,
        WRITE_BOUND,
        endpoint ->
            post(
                endpoint + "/v3/kv/deleterange",
                "{\"key\":" + quoted(sentinel) + "}",
                REQUEST_TIMEOUT));
    return events;
  }

  private long currentRevision() {
    return revisionOf(
        retry(
            "read the revision of " + prefix,
            REVISION_BOUND,
            endpoint ->
                post(
                    endpoint + "/v3/kv/range",
                    "{\"key\":"
                        + quoted(prefix)
                        + ",\"range_end\":"
                        + quoted(ClusterAuth.prefixEnd(bytes(prefix)))
                        + ",\"count_only\":true}",
                    REQUEST_TIMEOUT)));
  }

  /** The events up to the sentinel's put at revision {@code end}, from the first member able. */
  private List<Event> watch(String sentinel, long end) {
    long deadline = Durations.deadline(WATCH_BOUND);
    String body =
        "{\"create_request\":{\"key\":"
            + quoted(prefix)
            + ",\"range_end\":"
            + quoted(ClusterAuth.prefixEnd(bytes(prefix)))
            + ",\"start_revision\":"
            + (fromRevision + 1)
            + "}}";
    Exception last = null;
    while (!Durations.passed(deadline)) {
      for (String endpoint : endpoints()) {
        if (Durations.passed(deadline)) {
          break;
        }
        try {
          return watchOn(endpoint, body, sentinel, end, deadline);
        } catch (CompactedException e) {
          throw e;
        } catch (IOException | RuntimeException e) {
          last = e;
        }
      }
      Durations.pause();
    }
    throw new IllegalStateException(
        "etcd's history of "
            + prefix
            + " from revision "
            + (fromRevision + 1)
            + " did not reach its end (revision "
            + end
            + ") within "
            + Durations.format(WATCH_BOUND)
            + (last == null ? "" : ": " + last),
        last);
  }

  private List<Event> watchOn(
      String endpoint, String body, String sentinel, long end, long deadline) throws IOException {
    // HttpURLConnection, not the kit's HttpClient: its read timeout bounds each read of a body
    // that streams for as long as the watch lives
    HttpURLConnection connection =
        (HttpURLConnection)
            URI.create(endpoint + "/v3/watch").toURL().openConnection(Proxy.NO_PROXY);
    try {
      connection.setConnectTimeout(1000);
      connection.setReadTimeout((int) Math.max(1, Durations.remainingNanos(deadline) / 1_000_000));
      connection.setRequestMethod("POST");
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setDoOutput(true);
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      if (connection.getResponseCode() != 200) {
        throw new IOException("etcd answered the watch with " + connection.getResponseCode());
      }
      List<Event> events = new ArrayList<>();
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          Object result = Json.get(Json.parse(line), "result");
          if (result == null) {
            throw new IOException("etcd ended the watch: " + line);
          }
          if ("true".equals(Json.text(Json.get(result, "canceled")))) {
            throw new CompactedException(
                "etcd's history of "
                    + prefix
                    + " from revision "
                    + (fromRevision + 1)
                    + " cannot be read: "
                    + line);
          }
          for (Object event : Json.list(Json.get(result, "events"))) {
            Object kv = Json.get(event, "kv");
            String key =
                new String(
                    Base64.getDecoder().decode(Json.text(Json.get(kv, "key"))),
                    StandardCharsets.UTF_8);
            long revision = Long.parseLong(Json.text(Json.get(kv, "mod_revision")));
            if (key.equals(sentinel)) {
              if (revision >= end) {
                return List.copyOf(events);
              }
              continue;
            }
            // the gateway leaves out the default, PUT
            Type type =
                "DELETE".equals(Json.text(Json.get(event, "type"))) ? Type.DELETE : Type.PUT;
            events.add(new Event(type, key, revision));
          }
          if (Durations.passed(deadline)) {
            throw new IOException("the watch did not reach revision " + end + " in time");
          }
        }
      }
      throw new IOException("etcd closed the watch before revision " + end);
    } finally {
      connection.disconnect();
    }
  }

  /** A history etcd can no longer give: retrying elsewhere does not help. */
  private static final class CompactedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    CompactedException(String message) {
      super(message);
    }
  }

  /** Calls each member that runs, in turn, until one answers 200 or {@code bound} passes. */
  private EtcdHttp.Response retry(String what, Duration bound, MemberCalls.Call call) {
    return MemberCalls.untilAnswered(cluster, "KeyHistory could not " + what, bound, call);
  }

  private List<String> endpoints() {
    return MemberCalls.endpoints(cluster);
  }

  private static EtcdHttp.Response post(String url, String json, Duration timeout)
      throws IOException {
    return EtcdHttp.post(url, json, timeout);
  }

  private static long revisionOf(EtcdHttp.Response response) {
    String revision =
        Json.text(Json.get(Json.get(Json.parse(response.body()), "header"), "revision"));
    if (revision == null) {
      throw new IllegalStateException("etcd's answer holds no revision: " + response.body());
    }
    return Long.parseLong(revision);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String quoted(String text) {
    return quoted(bytes(text));
  }

  private static String quoted(byte[] bytes) {
    return Json.quote(Base64.getEncoder().encodeToString(bytes));
  }
}
