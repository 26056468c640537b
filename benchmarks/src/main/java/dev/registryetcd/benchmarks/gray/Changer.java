package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.DirectEtcd.bytes;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.WATCHED_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.WATCHED_PREFIX;

import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;

/** The third party: deletes the oldest watched key and puts a new one, through its client. */
final class Changer {
  private final Client client;
  private final Deque<String> live = new ArrayDeque<>();
  private int next = 40000;
  private String firstDeleted;

  Changer(Client client) {
    this.client = client;
  }

  void seed() throws Exception {
    for (int i = 0; i < WATCHED_KEYS; i++) {
      put();
    }
  }

  void change() {
    String oldest = live.peekFirst();
    try {
      client.getKVClient().delete(bytes(WATCHED_PREFIX + oldest)).get(5, TimeUnit.SECONDS);
      live.removeFirst();
      if (firstDeleted == null) {
        firstDeleted = oldest;
      }
      put();
    } catch (Exception e) {
      // the member it writes through may be between leaders: the next change comes anyway
    }
  }

  private void put() throws Exception {
    String address = "127.0.0.1:" + next++;
    client
        .getKVClient()
        .put(
            bytes(WATCHED_PREFIX + address),
            bytes(new String(Rig.value(address), StandardCharsets.UTF_8)))
        .get(5, TimeUnit.SECONDS);
    live.addLast(address);
  }

  String firstDeleted() {
    return firstDeleted;
  }
}
