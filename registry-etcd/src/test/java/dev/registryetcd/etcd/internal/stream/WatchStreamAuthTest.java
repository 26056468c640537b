package dev.registryetcd.etcd.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.internal.stream.WatchStreamTest.Recorder;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * With auth on, a create etcd refuses (no permission, or a token it no longer takes) is answered in
 * its turn with id -1: the stream authenticates again on a new stream once, then ends only that
 * watch with a permission error; the other watches on the stream go on with nothing lost.
 */
class WatchStreamAuthTest {
  static final String USER = "watcher";
  static final String PASSWORD = "watcher-password";

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void aRefusedWatchEndsAloneAfterOneNewAuthenticationAndTheOthersGoOn() throws Exception {
    etcd.cluster().enableAuth(USER, PASSWORD, "auth/");
    try (Client client = authenticated(etcd.member(0).clientEndpoint());
        Client writer = authenticated(etcd.member(0).clientEndpoint())) {
      WatchStream stream = WatchStreams.acquire(client);
      try {
        long from = put(writer, "auth/other", "x") + 1;
        Recorder before = new Recorder();
        stream.watch("auth/a/", from, false, before);
        await().atMost(Duration.ofSeconds(5)).until(() -> !before.notices.isEmpty());

        Recorder refused = new Recorder();
        stream.watch("elsewhere/", from, false, refused);
        Recorder after = new Recorder();
        stream.watch("auth/b/", from, false, after);

        await().atMost(Duration.ofSeconds(10)).until(() -> !refused.errors.isEmpty());
        assertThat(refused.errors.get(0))
            .isInstanceOf(EtcdException.class)
            .hasMessageContaining("permission denied")
            .hasMessageContaining("elsewhere/");
        assertThat(((EtcdException) refused.errors.get(0)).getErrorCode())
            .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(stream.streamsOpened()).isEqualTo(2); // one new authentication, not a loop
        long a = put(writer, "auth/a/k", "1");
        long b = put(writer, "auth/b/k", "1");
        await().atMost(Duration.ofSeconds(5)).until(() -> after.events.size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> before.events.size() == 1);
        assertThat(before.events.get(0).kv().modRevision()).isEqualTo(a);
        assertThat(after.events.get(0).kv().modRevision()).isEqualTo(b);
        assertThat(before.errors).isEmpty();
        assertThat(after.errors).isEmpty();
        assertThat(stream.openWatches()).isEqualTo(2);
      } finally {
        WatchStreams.release(client);
      }
    }
  }

  /** A client of {@code endpoint} that authenticates as {@link #USER}. */
  static Client authenticated(String endpoint) {
    return Client.builder().endpoints(endpoint).user(bytes(USER)).password(bytes(PASSWORD)).build();
  }

  /** Puts through {@code client}, retried while it authenticates again; returns the revision. */
  static long put(Client client, String key, String value) throws Exception {
    return await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () ->
                client
                    .getKVClient()
                    .put(bytes(key), bytes(value))
                    .get(5, TimeUnit.SECONDS)
                    .getHeader()
                    .getRevision(),
            revision -> revision > 0);
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
