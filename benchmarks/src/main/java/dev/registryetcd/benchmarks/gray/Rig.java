package dev.registryetcd.benchmarks.gray;

import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.OURS_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.PLAIN_KEYS;
import static dev.registryetcd.benchmarks.gray.GrayFailureScenario.WATCHED_KEYS;

import dev.registryetcd.benchmarks.baseline.SeedRegister;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.etcd.ResolverStatus;
import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import io.etcd.jetcd.Client;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One side-by-side set: our registries and resolvers, and as many plain jetcd clients doing what
 * the Go extension's registry does (a lease per registration, jetcd's keep-alive) and plain jetcd
 * watches, all with default settings and all through the cluster's client proxies.
 */
final class Rig implements AutoCloseable {
  static final Duration TTL = Duration.ofSeconds(3);

  private final List<EtcdRegistry> registries = new ArrayList<>();
  private final List<EtcdResolver> resolvers = new ArrayList<>();
  private final List<Subscription> subscriptions = new ArrayList<>();
  private final List<Client> plainClients = new ArrayList<>();
  private final List<SeedRegister> seeds = new ArrayList<>();
  private final List<PlainWatch> plainWatches = new ArrayList<>();
  private final List<View> views = new ArrayList<>();
  private final Recorder events = new Recorder();

  Rig(List<String> endpoints, GrayFailureScenario.Sizes sizes, RetryConfig retry) throws Exception {
    try {
      for (int r = 0; r < sizes.registries(); r++) {
        EtcdRegistry registry =
            EtcdRegistry.builder()
                .endpoints(endpoints)
                .retryConfig(retry)
                .options(
                    Option.withEtcdServicePrefix(GrayFailureScenario.PREFIX),
                    Option.withLeaseTtl(TTL))
                .events(events)
                .build();
        registries.add(registry);
        for (int i = 0; i < sizes.keysPerRegistry(); i++) {
          registry.register(
              Info.builder()
                  .serviceName(GrayFailureScenario.OURS)
                  .address(new InetSocketAddress("127.0.0.1", 20000 + r * 100 + i))
                  .build());
        }
      }
      for (int r = 0; r < sizes.registries(); r++) {
        // jetcd's defaults, as a plain application would have them
        Client client = plainClient(endpoints);
        plainClients.add(client);
        SeedRegister seed =
            new SeedRegister(client, GrayFailureScenario.PLAIN_PREFIX, TTL, Duration.ofSeconds(10));
        seeds.add(seed);
        for (int i = 0; i < sizes.keysPerRegistry(); i++) {
          String address = "127.0.0.1:" + (30000 + r * 100 + i);
          seed.register(GrayFailureScenario.PLAIN_SERVICE, address, value(address));
        }
      }
      for (int m = 0; m < sizes.resolvers(); m++) {
        EtcdResolver resolver =
            EtcdResolver.builder()
                .endpoints(endpoints)
                .options(Option.withEtcdServicePrefix(GrayFailureScenario.PREFIX))
                .events(events)
                .build();
        resolvers.add(resolver);
        View view =
            new View(
                "resolver " + m,
                true,
                () -> {
                  ResolverStatus status = resolver.status();
                  return status.healthy()
                      && !status.failingServices().contains(GrayFailureScenario.WATCHED);
                });
        views.add(view);
        subscriptions.add(
            resolver.subscribe(
                GrayFailureScenario.WATCHED,
                change ->
                    view.replace(
                        change.result().instances().stream()
                            .map(Instance::address)
                            .collect(Collectors.toSet()),
                        System.nanoTime())));
      }
      for (int m = 0; m < sizes.resolvers(); m++) {
        Client client = plainClient(endpoints);
        plainClients.add(client);
        plainWatches.add(
            new PlainWatch(
                client,
                GrayFailureScenario.WATCHED_PREFIX,
                GrayFailureScenario.WATCHED_PREFIX,
                new View("plain watch " + m, false, () -> true)));
        views.add(plainWatches.get(m).view());
      }
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  static Client plainClient(List<String> endpoints) {
    return Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
  }

  static byte[] value(String address) {
    return InstanceCodec.encode(new Instance("tcp", address, Info.DEFAULT_WEIGHT, null));
  }

  /** Ours first, then the plain watches. */
  List<View> views() {
    return views;
  }

  Recorder events() {
    return events;
  }

  List<EtcdRegistry> registries() {
    return registries;
  }

  long plainKeepAlivesGivenUp() {
    return seeds.stream().mapToLong(SeedRegister::keepAlivesGivenUp).sum();
  }

  /** Whether every observer serves exactly {@code etcd}. */
  boolean allEqual(Set<String> etcd, boolean ours) {
    return views.stream().filter(v -> v.ours() == ours).allMatch(v -> v.current().equals(etcd));
  }

  @Override
  public void close() {
    plainWatches.forEach(PlainWatch::close);
    subscriptions.forEach(Subscription::close);
    resolvers.forEach(EtcdResolver::close);
    registries.forEach(EtcdRegistry::close);
    seeds.forEach(SeedRegister::close);
    plainClients.forEach(Client::close);
  }

  /**
   * Waits until both sides' registrations are all in etcd and every observer of both sides equals
   * {@code etcd}'s view of the watched service.
   */
  void awaitConverged(Client direct, View etcd, int registrations, Duration bound)
      throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      Set<String> now = etcd.current();
      if (allEqual(now, true)
          && allEqual(now, false)
          && now.size() == WATCHED_KEYS
          && DirectEtcd.count(direct, OURS_KEYS) == registrations
          && DirectEtcd.count(direct, PLAIN_KEYS) == registrations) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "gray-failure: registrations and observers did not settle within " + bound);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
