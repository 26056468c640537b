package dev.registryetcd.etcd.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.testkit.EtcdGrpcProxy;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resolvers whose only endpoint is a real {@code etcd grpc-proxy}: etcd 3.4's proxy numbers a
 * stream's watches itself and may answer their creates out of order, and answers no progress
 * request. Every resolver must still follow every service to what etcd holds, and its watch stream
 * must not keep moving because its progress requests go unanswered.
 */
class WatchStreamThroughGrpcProxyTest {
  private static final String PREFIX = "kitex/registry-etcd/";
  private static final int SERVICES = 50;
  private static final int RESOLVERS = 4;
  private static final int ROUNDS = 8;

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void resolversThroughTheProxyFollowEveryServiceToEtcdWithoutMovingTheirStream() throws Exception {
    List<String> services = new ArrayList<>();
    for (int s = 0; s < SERVICES; s++) {
      services.add("proxied-" + s);
    }
    List<Client> clients = new ArrayList<>();
    List<EtcdResolver> resolvers = new ArrayList<>();
    try (EtcdGrpcProxy proxy = EtcdGrpcProxy.start(etcd.cluster());
        Client direct =
            Client.builder().endpoints(etcd.clientEndpoints().toArray(String[]::new)).build()) {
      try {
        putRound(direct, services, 0);
        for (int r = 0; r < RESOLVERS; r++) {
          Client client = Client.builder().endpoints(proxy.clientEndpoint()).build();
          clients.add(client);
          resolvers.add(EtcdResolver.builder().client(client).build());
        }
        // The first resolver watches every other service; the next ones all services at once, so
        // that the proxy answers some creates at once (it already watches that range: it makes up
        // the answer) and others only when etcd answered its own new watch: out of their order.
        for (int s = 1; s < SERVICES; s += 2) {
          assertThat(addresses(resolvers.get(0), services.get(s)))
              .containsExactly(address(0, services.get(s)));
        }
        ExecutorService resolving = Executors.newFixedThreadPool(SERVICES);
        try {
          for (EtcdResolver resolver : resolvers.subList(1, RESOLVERS)) {
            List<Future<Set<String>>> resolved = new ArrayList<>();
            for (String service : services) {
              resolved.add(resolving.submit(() -> addresses(resolver, service)));
            }
            for (int s = 0; s < SERVICES; s++) {
              assertThat(resolved.get(s).get(20, TimeUnit.SECONDS))
                  .containsExactly(address(0, services.get(s)));
            }
          }
        } finally {
          resolving.shutdownNow();
        }

        // Changes of every service, a round at a time, while the resolvers confirm their watches
        // every second against etcd's revision: most watches must be confirmed while their own
        // services are quiet, which on a member takes a progress request.
        for (int round = 1; round <= ROUNDS; round++) {
          putRound(direct, services, round);
          deleteRound(direct, services, round - 1);
          TimeUnit.MILLISECONDS.sleep(400); // the pace of the changes, not a wait for a result
        }

        Map<String, Set<String>> truth = read(direct);
        assertThat(truth).hasSize(SERVICES);
        await()
            .atMost(Duration.ofSeconds(20))
            .untilAsserted(
                () -> {
                  for (EtcdResolver resolver : resolvers) {
                    for (String service : services) {
                      assertThat(addresses(resolver, service))
                          .as("%s in %s", service, resolver)
                          .isEqualTo(truth.get(service));
                    }
                  }
                });

        // etcd's revision now runs ahead of every quiet service's watch: the checks go on, the
        // streams stay where they are, and the resolvers stay healthy.
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(5))
            .until(() -> maxStreamsOpened(clients) <= 1 && allHealthy(resolvers));
        for (EtcdResolver resolver : resolvers) {
          assertThat(resolver.status().watchRestarts()).as("%s", resolver).isZero();
        }
      } finally {
        resolvers.forEach(EtcdResolver::close);
        clients.forEach(Client::close);
      }
    }
  }

  private static long maxStreamsOpened(List<Client> clients) {
    long most = 0;
    for (Client client : clients) {
      WatchStream stream = WatchStreams.acquire(client);
      try {
        assertThat(stream.answersProgress()).as("%s", stream).isFalse();
        most = Math.max(most, stream.streamsOpened());
      } finally {
        WatchStreams.release(client);
      }
    }
    return most;
  }

  private static boolean allHealthy(List<EtcdResolver> resolvers) {
    return resolvers.stream().allMatch(resolver -> resolver.status().healthy());
  }

  private static Set<String> addresses(EtcdResolver resolver, String service) {
    return resolver.instances(service).stream()
        .map(Instance::address)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String address(int round, String service) {
    return "10.0." + round + "." + service.substring(service.indexOf('-') + 1) + ":8080";
  }

  private static void putRound(Client direct, List<String> services, int round) {
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (String service : services) {
      String address = address(round, service);
      puts.add(
          direct
              .getKVClient()
              .put(
                  bytes(PREFIX + service + "/" + address),
                  bytes(
                      "{\"network\":\"tcp\",\"address\":\""
                          + address
                          + "\",\"weight\":10,\"tags\":null}")));
    }
    puts.forEach(CompletableFuture::join);
  }

  private static void deleteRound(Client direct, List<String> services, int round) {
    List<CompletableFuture<?>> deletes = new ArrayList<>();
    for (String service : services) {
      deletes.add(
          direct.getKVClient().delete(bytes(PREFIX + service + "/" + address(round, service))));
    }
    deletes.forEach(CompletableFuture::join);
  }

  /** Each service's addresses, read from the member directly. */
  private static Map<String, Set<String>> read(Client direct) throws Exception {
    Map<String, Set<String>> services = new HashMap<>();
    for (KeyValue kv :
        direct
            .getKVClient()
            .get(bytes(PREFIX), GetOption.builder().isPrefix(true).withKeysOnly(true).build())
            .get(10, TimeUnit.SECONDS)
            .getKvs()) {
      String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(PREFIX.length());
      int slash = rest.indexOf('/');
      services
          .computeIfAbsent(rest.substring(0, slash), s -> new TreeSet<>())
          .add(rest.substring(slash + 1));
    }
    return services;
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
