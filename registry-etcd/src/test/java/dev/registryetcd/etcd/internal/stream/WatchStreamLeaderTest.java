package dev.registryetcd.etcd.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.internal.stream.WatchStreamTest.Recorder;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The shared stream requires a leader: a member cut off from its peers ends it (etcd 3.4 answers
 * {@code hasleader=true} with "no leader"), and its watches resume, with nothing lost, once a new
 * stream reaches a member with a leader.
 */
class WatchStreamLeaderTest {
  @RegisterExtension
  final EtcdExtension etcd =
      EtcdExtension.of(
          EtcdCluster.builder()
              .members(3)
              .networkFaults()
              .heartbeatInterval(Duration.ofMillis(100))
              .electionTimeout(Duration.ofMillis(1000)));

  @Test
  void aMemberCutOffFromItsPeersEndsTheStreamAndTheWatchesResumeWithNothingLost() throws Exception {
    EtcdMember cutOff = etcd.member(0);
    try (Client client = Client.builder().endpoints(cutOff.clientEndpoint()).build();
        Client writer = Client.builder().endpoints(etcd.member(1).clientEndpoint()).build()) {
      WatchStream stream = WatchStreams.acquire(client);
      try {
        long from = put(writer, "other", "x") + 1;
        Recorder first = new Recorder();
        Recorder second = new Recorder();
        stream.watch("leader/a/", from, false, first);
        stream.watch("leader/b/", from, false, second);
        await().atMost(Duration.ofSeconds(5)).until(() -> !second.notices.isEmpty());

        cutOff.isolateFromPeers();
        await().atMost(Duration.ofSeconds(10)).until(() -> !first.resumed.isEmpty());
        assertThat(first.resumed.get(0)).hasMessageContaining("no leader");
        assertThat(second.resumed).hasSize(1);
        long written = put(writer, "leader/a/k", "1"); // the majority goes on

        cutOff.healPeers();
        await().atMost(Duration.ofSeconds(20)).until(() -> first.events.size() == 1);
        assertThat(first.events.get(0).kv().modRevision()).isEqualTo(written);
        assertThat(second.events).isEmpty();
        assertThat(first.errors).isEmpty();
        assertThat(stream.streamsOpened()).isGreaterThan(1);
      } finally {
        WatchStreams.release(client);
      }
    }
  }

  private static long put(Client client, String key, String value) throws Exception {
    return client
        .getKVClient()
        .put(bytes(key), bytes(value))
        .get(10, TimeUnit.SECONDS)
        .getHeader()
        .getRevision();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
