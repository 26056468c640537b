package dev.registryetcd.gray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the resolver's liveness check relies on, on the etcd it runs against (3.4): jetcd's listener
 * hears the answer to a progress request, with the member's revision; the creation of a watch is
 * reported with it too; and a watch that requires a leader ends when its member is cut off from its
 * peers, while without it the watch stays open and silent.
 */
class WatchPrimitivesTest {
  private static final ByteSequence KEY = bytes("kitex/registry-etcd/primitives/");

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.of(GrayCluster.builder());

  @Test
  void aProgressRequestIsAnsweredToTheListenerWithTheMembersRevision() throws Exception {
    EtcdMember member = etcd.member(0);
    try (Client client = Client.builder().endpoints(member.clientEndpoint()).build()) {
      long revision = put(client, "other", "1");
      List<WatchResponse> heard = new CopyOnWriteArrayList<>();
      try (Watch.Watcher watcher =
          client.getWatchClient().watch(KEY, requiringALeader(), heard::add)) {
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
        assertThat(heard.get(0).getEvents()).isEmpty();
        assertThat(heard.get(0).getHeader().getRevision()).isEqualTo(revision);

        long later = put(client, "other", "2");
        watcher.requestProgress();

        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 2);
        assertThat(heard.get(1).isProgressNotify()).isTrue();
        assertThat(heard.get(1).getHeader().getRevision()).isEqualTo(later);
      }
    }
  }

  @Test
  void aWatchThatRequiresALeaderEndsWhenItsMemberIsCutOffAndOneThatDoesNotStaysSilent() {
    EtcdMember member = etcd.cluster().followers().get(0);
    try (Client client = Client.builder().endpoints(member.clientEndpoint()).build()) {
      List<Throwable> requiring = new CopyOnWriteArrayList<>();
      List<Throwable> plain = new CopyOnWriteArrayList<>();
      List<WatchResponse> created = new CopyOnWriteArrayList<>();
      try (Watch.Watcher a =
              client
                  .getWatchClient()
                  .watch(KEY, requiringALeader(), Watch.listener(created::add, requiring::add));
          Watch.Watcher b =
              client
                  .getWatchClient()
                  .watch(
                      KEY,
                      WatchOption.builder().isPrefix(true).withCreateNotify(true).build(),
                      Watch.listener(created::add, plain::add))) {
        await().atMost(Duration.ofSeconds(5)).until(() -> created.size() == 2);
        long cut = System.nanoTime();
        member.isolateFromPeers();
        try {
          await().atMost(Duration.ofSeconds(15)).until(() -> !requiring.isEmpty());
          System.out.printf(
              "require-leader watch ended %d ms after the cut: %s%n",
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut), requiring.get(0));
          assertThat(plain).isEmpty();
        } finally {
          member.healPeers();
        }
      }
    }
  }

  /** Puts {@code key} and returns the revision etcd gave the put. */
  private static long put(Client client, String key, String value) throws Exception {
    return client
        .getKVClient()
        .put(bytes(key), bytes(value))
        .get(5, TimeUnit.SECONDS)
        .getHeader()
        .getRevision();
  }

  /** A prefix watch that ends when its member loses the leader, and says when it is created. */
  private static WatchOption requiringALeader() {
    return WatchOption.builder()
        .isPrefix(true)
        .withRequireLeader(true)
        .withCreateNotify(true)
        .build();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
