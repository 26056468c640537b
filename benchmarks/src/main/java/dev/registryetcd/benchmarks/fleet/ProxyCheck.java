package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Ours through a real {@code etcd grpc-proxy} in front of the cluster: a registry and {@code
 * clients} resolvers (each its own client) whose only endpoint is the proxy, beside as many plain
 * jetcd clients with a watcher per service through the same proxy. What works is read back from the
 * members directly.
 */
final class ProxyCheck {
  static final String PREFIX = "bench/fleet-proxy";

  /**
   * @param standing registrations made through the proxy (one per service)
   * @param standingInEtcd of them, keys found reading a member directly, right after registering
   * @param standingInEtcdAfter the same after the churn (the lease kept alive through the proxy)
   * @param resolved resolvers that resolved every service with its registered instance
   * @param equalAtEnd resolvers whose every service equals a direct read of etcd at the end
   * @param mismatches the first few services where a resolver differed from etcd at the end
   * @param churn the changes through the proxy
   * @param members the members' watch figures while every client watched through the proxy
   * @param membersIdle the same before any client
   * @param proxyBefore the proxy's own metrics before the churn
   * @param proxyAfter the same after it
   * @param proxyRssBytes the proxy's resident memory while every client watched through it
   * @param proxyAlive whether the proxy process was still running at the end
   */
  record Figures(
      int clients,
      int standing,
      int standingInEtcd,
      int standingInEtcdAfter,
      int resolved,
      int equalAtEnd,
      List<String> mismatches,
      Churn.Outcome churn,
      EtcdSide.Reading membersIdle,
      EtcdSide.Reading members,
      Map<String, Double> proxyBefore,
      Map<String, Double> proxyAfter,
      long proxyRssBytes,
      boolean proxyAlive,
      String proxyLog) {}

  private ProxyCheck() {}

  static Figures run(
      EtcdCluster cluster,
      EtcdSide side,
      FleetScenario.Sizes sizes,
      List<String> services,
      Path logDir)
      throws Exception {
    int clients = sizes.proxyClients();
    try (GrpcProxy proxy = GrpcProxy.start(cluster, logDir);
        Client direct =
            Client.builder().endpoints(cluster.clientEndpoints().toArray(String[]::new)).build();
        EtcdRegistry registry =
            EtcdRegistry.builder()
                .endpoints(List.of(proxy.url()))
                .options(Option.withEtcdServicePrefix(PREFIX))
                .build()) {
      EtcdSide.Reading idle = side.read();
      for (int s = 0; s < services.size(); s++) {
        registry.register(standing(services.get(s), s));
      }
      int inEtcd = keys(direct).size();
      Arrivals oursArrivals = new Arrivals(clients);
      Arrivals plainArrivals = new Arrivals(clients);
      List<String> endpoints = List.of(proxy.url());
      try (OurFleet ours = new OurFleet(endpoints, PREFIX, clients, services, oursArrivals);
          PlainFleet plain = new PlainFleet(endpoints, PREFIX, clients, services, plainArrivals)) {
        ours.awaitSubscribed(Duration.ofMinutes(2));
        plain.awaitCreated(Duration.ofMinutes(2));
        int resolved = 0;
        for (EtcdResolver resolver : ours.resolvers()) {
          boolean all = true;
          for (int s = 0; s < services.size(); s++) {
            String address = registry.instanceOf(standing(services.get(s), s)).address();
            all &=
                resolver.resolve(services.get(s)).instances().stream()
                    .anyMatch(i -> i.address().equals(address));
          }
          resolved += all ? 1 : 0;
        }
        EtcdSide.Reading members = side.read();
        long proxyRss = proxy.rssBytes();
        Map<String, Double> before = proxy.metrics();
        Churn.Outcome churn =
            Churn.run(
                registry,
                services,
                sizes.proxyChanges(),
                sizes.proxyPause(),
                sizes.changeBound(),
                ours,
                oursArrivals,
                plainArrivals);
        Map<String, Double> after = proxy.metrics();
        List<String> mismatches = new java.util.ArrayList<>();
        int equal = equalToEtcd(ours, direct, services, mismatches);
        int inEtcdAfter = standingIn(keys(direct), registry, services);
        return new Figures(
            clients,
            services.size(),
            inEtcd,
            inEtcdAfter,
            resolved,
            equal,
            mismatches,
            churn,
            idle,
            members,
            before,
            after,
            proxyRss,
            proxy.isAlive(),
            proxy.log().toString());
      }
    }
  }

  private static Info standing(String service, int s) {
    return Info.builder()
        .serviceName(service)
        .address(new InetSocketAddress("10.78." + ((s >> 8) & 255) + "." + (s & 255), 9000))
        .build();
  }

  private static int standingIn(Set<String> keys, EtcdRegistry registry, List<String> services) {
    int found = 0;
    for (int s = 0; s < services.size(); s++) {
      if (keys.contains(registry.keyOf(standing(services.get(s), s)))) {
        found++;
      }
    }
    return found;
  }

  /** Every key under the prefix, read from the members directly. */
  private static Set<String> keys(Client direct) throws Exception {
    Set<String> keys = new HashSet<>();
    for (KeyValue kv :
        direct
            .getKVClient()
            .get(
                ByteSequence.from(PREFIX + "/", StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).withKeysOnly(true).build())
            .get(10, TimeUnit.SECONDS)
            .getKvs()) {
      keys.add(kv.getKey().toString(StandardCharsets.UTF_8));
    }
    return keys;
  }

  /**
   * How many resolvers hold, for every service, the addresses a direct read of the members shows;
   * each is given 5 s to get there (the last change may still be on its way).
   */
  private static int equalToEtcd(
      OurFleet ours, Client direct, List<String> services, List<String> mismatches)
      throws Exception {
    Map<String, Set<String>> truth = new HashMap<>();
    for (String service : services) {
      truth.put(service, new TreeSet<>());
    }
    for (String key : keys(direct)) {
      String rest = key.substring(PREFIX.length() + 1);
      int slash = rest.indexOf('/');
      truth
          .computeIfAbsent(rest.substring(0, slash), s -> new TreeSet<>())
          .add(rest.substring(slash + 1));
    }
    int equal = 0;
    for (EtcdResolver resolver : ours.resolvers()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (!holds(resolver, truth, services) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      if (holds(resolver, truth, services)) {
        equal++;
      } else if (mismatches.size() < 5) {
        for (String service : services) {
          Set<String> held = new TreeSet<>();
          resolver.instances(service).forEach(i -> held.add(i.address()));
          if (!held.equals(truth.get(service))) {
            mismatches.add(
                "resolver "
                    + ours.resolvers().indexOf(resolver)
                    + ", "
                    + service
                    + ": etcd "
                    + truth.get(service)
                    + ", resolver "
                    + held
                    + ", status "
                    + resolver.status());
            break;
          }
        }
      }
    }
    return equal;
  }

  private static boolean holds(
      EtcdResolver resolver, Map<String, Set<String>> truth, List<String> services) {
    for (String service : services) {
      Set<String> addresses = new TreeSet<>();
      for (Instance instance : resolver.instances(service)) {
        addresses.add(instance.address());
      }
      if (!addresses.equals(truth.get(service))) {
        return false;
      }
    }
    return true;
  }
}
