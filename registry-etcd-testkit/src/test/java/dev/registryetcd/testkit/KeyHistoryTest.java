package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.testkit.KeyHistory.Event;
import dev.registryetcd.testkit.KeyHistory.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyHistoryTest {

  @Test
  void recordsEveryPutAndDeleteUnderThePrefixAfterItStarted() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      String endpoint = etcd.member(0).clientEndpoint();
      Gateway.put(endpoint, "svc/before", "x");
      KeyHistory history = KeyHistory.startingNow(etcd, "svc/");

      Gateway.put(endpoint, "svc/a", "1");
      Gateway.put(endpoint, "other/b", "1");
      Gateway.put(endpoint, "svc/a", "2");
      Gateway.delete(endpoint, "svc/a");
      Gateway.delete(endpoint, "svc/before");

      List<Event> events = history.untilNow();
      long from = history.fromRevision();
      assertThat(events)
          .containsExactly(
              new Event(Type.PUT, "svc/a", from + 1),
              new Event(Type.PUT, "svc/a", from + 3),
              new Event(Type.DELETE, "svc/a", from + 4),
              new Event(Type.DELETE, "svc/before", from + 5));

      // read again later: the same start, and what came since, without its own marks
      Gateway.put(endpoint, "svc/c", "1");
      assertThat(history.untilNow())
          .startsWith(events.toArray(Event[]::new))
          .last()
          .isEqualTo(new Event(Type.PUT, "svc/c", from + 8));
      assertThat(Gateway.read(endpoint, "svc/~history-sentinel")).isEmpty();
    }
  }

  @Test
  void readsThroughAnyMemberThatStillRuns() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.cluster(3).start()) {
      KeyHistory history = KeyHistory.since(etcd, "svc/", 0);
      Gateway.put(etcd.member(1).clientEndpoint(), "svc/a", "1");
      etcd.member(0).kill();

      assertThat(history.untilNow()).extracting(Event::key).containsExactly("svc/a");
    }
  }

  @Test
  void refusesATlsCluster() {
    EtcdCluster tls =
        EtcdCluster.builder()
            .tls(EtcdTls.serverOnly(java.nio.file.Path.of("c"), java.nio.file.Path.of("k")))
            .build();
    assertThatThrownBy(() -> KeyHistory.since(tls, "svc/", 0))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("TLS");
  }
}
