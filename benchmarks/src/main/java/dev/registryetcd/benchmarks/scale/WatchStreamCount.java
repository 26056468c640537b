package dev.registryetcd.benchmarks.scale;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.WatchMetrics;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.WatchOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * How many gRPC Watch streams and watchers etcd holds, from its own {@code /metrics}, for a
 * resolver subscribed to {@code services} services and for a registry registering in as many,
 * against jetcd's own watch API with one {@code Watcher} per service (what the library did before
 * its watches shared one stream) in the same run; and etcd's resident memory before and after each.
 */
final class WatchStreamCount {
  static final String PREFIX = "bench/watch-streams";

  /** etcd's figures before and while one client watches. */
  record Held(WatchMetrics before, WatchMetrics during) {
    long streams() {
      return during.streams() - before.streams();
    }

    long watchers() {
      return during.watchers() - before.watchers();
    }

    long streamsStarted() {
      return during.streamsStarted() - before.streamsStarted();
    }

    long residentBytes() {
      return during.residentBytes() - before.residentBytes();
    }
  }

  /**
   * @param resolver our resolver subscribed to every service
   * @param registry our registry registered in every service (its own-key watches), on top of it
   * @param jetcd one jetcd {@code Watcher} per service on one jetcd client
   */
  record Figures(int services, Held resolver, Held registry, Held jetcd) {}

  private WatchStreamCount() {}

  static Figures measure(List<String> endpoints, int services) throws Exception {
    Held resolverHeld;
    Held registryHeld;
    WatchMetrics idle = settled(endpoints, m -> true);
    try (EtcdResolver resolver =
        EtcdResolver.builder()
            .endpoints(endpoints)
            .options(Option.withEtcdServicePrefix(PREFIX))
            .build()) {
      CountDownLatch first = new CountDownLatch(services);
      List<Subscription> subscriptions = new ArrayList<>();
      for (int s = 0; s < services; s++) {
        subscriptions.add(
            resolver.subscribe(
                ScaleScenario.serviceOf(s),
                new ChangeListener() {
                  private boolean counted;

                  @Override
                  public void onChange(Change change) {
                    if (!counted) {
                      counted = true;
                      first.countDown();
                    }
                  }
                }));
      }
      if (!first.await(2, TimeUnit.MINUTES)) {
        throw new IllegalStateException(
            "the resolver did not read all " + services + " services within 2 minutes");
      }
      WatchMetrics withResolver =
          settled(endpoints, m -> m.watchers() - idle.watchers() >= services);
      resolverHeld = new Held(idle, withResolver);

      try (EtcdRegistry registry =
          EtcdRegistry.builder()
              .endpoints(endpoints)
              .options(Option.withEtcdServicePrefix(PREFIX))
              .build()) {
        for (int s = 0; s < services; s++) {
          registry.register(
              Info.builder()
                  .serviceName(ScaleScenario.serviceOf(s))
                  .address(
                      new InetSocketAddress("10.9." + ((s >> 8) & 255) + "." + (s & 255), 8888))
                  .build());
        }
        WatchMetrics withRegistry =
            settled(endpoints, m -> m.watchers() - withResolver.watchers() >= services);
        registryHeld = new Held(withResolver, withRegistry);
      }
      subscriptions.forEach(Subscription::close);
    }

    WatchMetrics idleAgain = settled(endpoints, m -> m.streams() <= idle.streams());
    Held jetcdHeld;
    try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
      List<Watch.Watcher> watchers = new ArrayList<>();
      for (int s = 0; s < services; s++) {
        watchers.add(
            client
                .getWatchClient()
                .watch(
                    ByteSequence.from(
                        PREFIX + "/" + ScaleScenario.serviceOf(s) + "/", StandardCharsets.UTF_8),
                    WatchOption.builder().isPrefix(true).withRequireLeader(true).build(),
                    response -> {}));
      }
      WatchMetrics withJetcd =
          settled(endpoints, m -> m.watchers() - idleAgain.watchers() >= services);
      jetcdHeld = new Held(idleAgain, withJetcd);
      watchers.forEach(Watch.Watcher::close);
    }
    settled(endpoints, m -> m.streams() <= idle.streams());
    return new Figures(services, resolverHeld, registryHeld, jetcdHeld);
  }

  /**
   * etcd's figures, summed over the members, once {@code ready} holds and two readings a second
   * apart agree on the stream and watcher counts (creates still on their way would skew them).
   */
  private static WatchMetrics settled(List<String> endpoints, Predicate<WatchMetrics> ready)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    WatchMetrics last = read(endpoints);
    while (System.nanoTime() < deadline) {
      TimeUnit.SECONDS.sleep(1);
      WatchMetrics now = read(endpoints);
      if (ready.test(now) && now.streams() == last.streams() && now.watchers() == last.watchers()) {
        return now;
      }
      last = now;
    }
    throw new IllegalStateException("etcd's watch figures did not settle within 60 s: " + last);
  }

  private static WatchMetrics read(List<String> endpoints) {
    long streams = 0;
    long watchers = 0;
    long started = 0;
    long resident = 0;
    long heap = 0;
    for (String endpoint : endpoints) {
      WatchMetrics member = WatchMetrics.of(endpoint);
      streams += member.streams();
      watchers += member.watchers();
      started += member.streamsStarted();
      resident += member.residentBytes();
      heap += member.heapInUseBytes();
    }
    return new WatchMetrics(streams, watchers, started, resident, heap);
  }
}
