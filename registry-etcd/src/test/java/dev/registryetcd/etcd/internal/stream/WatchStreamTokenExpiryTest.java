package dev.registryetcd.etcd.internal.stream;

import static dev.registryetcd.etcd.internal.stream.WatchStreamAuthTest.PASSWORD;
import static dev.registryetcd.etcd.internal.stream.WatchStreamAuthTest.USER;
import static dev.registryetcd.etcd.internal.stream.WatchStreamAuthTest.authenticated;
import static dev.registryetcd.etcd.internal.stream.WatchStreamAuthTest.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.AuthTokens;
import dev.registryetcd.etcd.internal.stream.WatchStreamTest.Recorder;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd's simple auth tokens expire once no request has carried one for {@code --auth-token-ttl}
 * (here 2 s). etcd checks the stream's token only when a watch is created, so watches made before
 * expiry keep delivering; a watch created after it, and the watches created again after the stream
 * broke, are refused until the stream authenticates again, which it does once, on a new stream,
 * every watch resuming from its own revision.
 */
class WatchStreamTokenExpiryTest {
  @RegisterExtension
  final EtcdExtension etcd = EtcdExtension.of(AuthTokens.expiringAfterTwoSeconds());

  @Test
  void watchesOutliveTheirTokenAndTheStreamAuthenticatesAgainForNewAndRecreatedWatches()
      throws Exception {
    etcd.cluster().enableAuth(USER, PASSWORD, "auth/");
    EtcdMember member = etcd.member(0);
    String endpoint = member.clientEndpoint();
    // Two clients, so the watching one sends nothing but the stream and its token can expire.
    try (Client client = authenticated(endpoint);
        Client writer = authenticated(endpoint)) {
      WatchStream stream = WatchStreams.acquire(client);
      try {
        long from = put(writer, "auth/start", "x") + 1;
        Recorder early = new Recorder();
        stream.watch("auth/a/", from, false, early);
        await().atMost(Duration.ofSeconds(5)).until(() -> !early.notices.isEmpty());

        // Both clients' tokens expire while nobody sends anything.
        AuthTokens.awaitAllExpired(member, USER);
        long a1 = put(writer, "auth/a/1", "1");
        await().atMost(Duration.ofSeconds(5)).until(() -> early.events.size() == 1);
        assertThat(stream.streamsOpened()).isEqualTo(1); // delivered on the first stream

        Recorder late = new Recorder();
        stream.watch("auth/b/", put(writer, "auth/start", "y") + 1, false, late);
        await().atMost(Duration.ofSeconds(10)).until(() -> !late.notices.isEmpty());
        assertThat(stream.streamsOpened()).isEqualTo(2); // authenticated again once
        long a2 = put(writer, "auth/a/2", "2");
        long b1 = put(writer, "auth/b/1", "1");
        await().atMost(Duration.ofSeconds(5)).until(() -> early.events.size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> late.events.size() == 1);

        // The new tokens expire too, then the stream breaks: its watches are created again on a
        // stream that carries an expired token.
        AuthTokens.awaitAllExpired(member, USER);
        long streamsBeforeBreak = stream.streamsOpened();
        member.clientProxy().reset();
        long a3 = put(writer, "auth/a/3", "3");
        long b2 = put(writer, "auth/b/2", "2");
        await().atMost(Duration.ofSeconds(15)).until(() -> early.events.size() == 3);
        await().atMost(Duration.ofSeconds(15)).until(() -> late.events.size() == 2);
        assertThat(stream.streamsOpened()).isGreaterThan(streamsBeforeBreak);

        assertThat(revisions(early.events)).containsExactly(a1, a2, a3);
        assertThat(revisions(late.events)).containsExactly(b1, b2);
        assertThat(early.errors).isEmpty();
        assertThat(late.errors).isEmpty();
        assertThat(stream.openWatches()).isEqualTo(2);
      } finally {
        WatchStreams.release(client);
      }
    }
  }

  private static List<Long> revisions(List<KvEvent> events) {
    return events.stream().map(event -> event.kv().modRevision()).toList();
  }
}
