package dev.registryetcd.benchmarks.fleet;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The baseline: {@code clients} plain jetcd clients, each with one jetcd {@code Watcher} per
 * service (jetcd's watch API: one gRPC stream per watcher), every event going to {@link Arrivals}.
 */
final class PlainFleet implements AutoCloseable {
  private final List<Client> clients = new ArrayList<>();
  private final List<Watch.Watcher> watchers = new ArrayList<>();
  private final String prefix;
  private CountDownLatch created = new CountDownLatch(0);

  /** Watching at once. */
  PlainFleet(List<String> endpoints, String prefix, int count, List<String> services, Arrivals to)
      throws Exception {
    this(endpoints, prefix, count);
    watch(services, to);
  }

  /**
   * Connected but not watching yet: each client made one read (jetcd's round robin connects it to
   * every endpoint), the floor that both sides pay.
   */
  PlainFleet(List<String> endpoints, String prefix, int count) throws Exception {
    this.prefix = prefix;
    try {
      for (int k = 0; k < count; k++) {
        Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
        clients.add(client);
        client
            .getKVClient()
            .get(ByteSequence.from(prefix + "/", StandardCharsets.UTF_8))
            .get(30, TimeUnit.SECONDS);
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  /** Starts one watcher per service on every client. */
  void watch(List<String> services, Arrivals to) {
    created = new CountDownLatch(clients.size() * services.size());
    try {
      for (int k = 0; k < clients.size(); k++) {
        Client client = clients.get(k);
        int index = k;
        for (String service : services) {
          String servicePrefix = prefix + "/" + service + "/";
          watchers.add(
              client
                  .getWatchClient()
                  .watch(
                      ByteSequence.from(servicePrefix, StandardCharsets.UTF_8),
                      WatchOption.builder()
                          .isPrefix(true)
                          .withRequireLeader(true)
                          .withCreateNotify(true)
                          .build(),
                      response -> {
                        if (response.isCreatedNotify()) {
                          created.countDown();
                        }
                        for (WatchEvent event : response.getEvents()) {
                          String key =
                              event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
                          to.saw(
                              index,
                              service,
                              key.substring(servicePrefix.length()),
                              event.getEventType() == WatchEvent.EventType.PUT);
                        }
                      }));
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Waits until etcd (or the proxy) has answered every watcher's create. */
  void awaitCreated(Duration bound) throws InterruptedException {
    if (!created.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(
          created.getCount()
              + " plain watchers were not created within "
              + bound.toSeconds()
              + " s");
    }
  }

  @Override
  public void close() {
    watchers.forEach(Watch.Watcher::close);
    clients.forEach(Client::close);
  }
}
