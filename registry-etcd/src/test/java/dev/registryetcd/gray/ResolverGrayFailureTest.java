package dev.registryetcd.gray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.ResolverStatus;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A resolver is never stale while healthy for more than 2 s: while one member is client-side
 * blackholed, frozen, or cut off from its peers, a key a third party deletes and one it puts reach
 * every resolver within 2 s, or that resolver reports the service (or the service names) failing
 * within 2 s. Six resolvers share the three members, so some watches sit on the faulty one. After
 * the fault every resolver equals a fresh read and is healthy within a few seconds.
 */
class ResolverGrayFailureTest {
  private static final String PREFIX = "kitex/registry-etcd/";
  private static final String SERVICE = "grayr";
  private static final Duration FAULT = Duration.ofSeconds(12);
  private static final Duration STALE_AT_MOST = Duration.ofSeconds(2);

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.of(GrayCluster.builder());

  private final List<EtcdResolver> resolvers = new ArrayList<>();
  private final AtomicLong unconfirmedRestarts = new AtomicLong();
  private Client writer;
  private int port = 1;

  @BeforeEach
  void sixResolversFollowOneServiceAndTheNames() throws Exception {
    try (Client seed = direct(etcd.member(0))) {
      put(seed, "10.0.0.1:1");
      put(seed, "10.0.0.2:1");
    }
    EtcdEvents counting =
        new EtcdEvents() {
          @Override
          public void watchRestarted(Source source, WatchEnd cause) {
            if (cause == WatchEnd.UNCONFIRMED) {
              unconfirmedRestarts.incrementAndGet();
            }
          }
        };
    for (int i = 0; i < 6; i++) {
      EtcdResolver resolver =
          EtcdResolver.builder()
              .endpoints(etcd.clientEndpointsAsHostPort())
              .events(counting)
              .build();
      resolvers.add(resolver);
      assertThat(addresses(resolver)).containsExactly("10.0.0.1:1", "10.0.0.2:1");
      assertThat(resolver.services()).containsExactly(SERVICE);
    }
  }

  @AfterEach
  void closeAll() {
    resolvers.forEach(EtcdResolver::close);
    if (writer != null) {
      writer.close();
    }
  }

  @Test
  void aFollowerBlackholedOnItsClientPort() throws Exception {
    EtcdMember member = etcd.cluster().followers().get(0);
    duringFault(member, () -> member.clientProxy().blackhole(), () -> member.clientProxy().heal());
  }

  @Test
  void theLeaderFrozen() throws Exception {
    EtcdMember member = etcd.cluster().awaitLeader(Duration.ofSeconds(10));
    duringFault(member, member::freeze, member::thaw);
  }

  @Test
  void aFollowerFrozen() throws Exception {
    EtcdMember member = etcd.cluster().followers().get(0);
    duringFault(member, member::freeze, member::thaw);
  }

  @Test
  void aFollowerCutOffFromItsPeers() throws Exception {
    EtcdMember member = etcd.cluster().followers().get(0);
    duringFault(member, member::isolateFromPeers, member::healPeers);
  }

  private void duringFault(EtcdMember faulty, Runnable fault, Runnable heal) throws Exception {
    EtcdMember healthy =
        etcd.cluster().members().stream().filter(m -> m != faulty).findFirst().orElseThrow();
    writer = direct(healthy);
    Set<String> expected = new TreeSet<>(Set.of("10.0.0.1:1", "10.0.0.2:1"));
    long faultStarted = System.nanoTime();
    fault.run();
    try {
      // Changes early in the fault (before anything noticed it) and late (after it settled).
      for (Duration at : List.of(Duration.ofSeconds(1), Duration.ofSeconds(6))) {
        waitUntil(faultStarted + at.toNanos());
        String deleted = expected.iterator().next();
        String key = key(deleted);
        String added = "10.0.1." + (++port) + ":1";
        awaitWritten(() -> writer.getKVClient().delete(bytes(key)).get(3, TimeUnit.SECONDS));
        awaitWritten(() -> put(writer, added));
        expected.remove(deleted);
        expected.add(added);
        String newService = "grayr" + port;
        awaitWritten(() -> putService(writer, newService));
        long written = System.nanoTime();
        Set<String> want = Set.copyOf(expected);
        for (EtcdResolver resolver : resolvers) {
          await()
              .pollInterval(Duration.ofMillis(20))
              .atMost(STALE_AT_MOST.minus(Duration.ofNanos(System.nanoTime() - written)))
              .untilAsserted(
                  () -> {
                    ResolverStatus status = resolver.status();
                    assertThat(
                            status.failingServices().contains(SERVICE)
                                || Set.copyOf(addresses(resolver)).equals(want))
                        .as("%s fresh or failing, status %s", resolver, status)
                        .isTrue();
                    assertThat(
                            status.serviceNamesFailing()
                                || resolver.services().contains(newService))
                        .as("names fresh or failing, status %s", status)
                        .isTrue();
                  });
        }
        System.out.printf(
            "%s: every resolver fresh or failing %d ms after the write%n",
            faulty.name(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - written));
      }
      waitUntil(faultStarted + FAULT.toNanos());
    } finally {
      heal.run();
    }
    Set<String> fresh = freshRead(writer);
    for (EtcdResolver resolver : resolvers) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(Set.copyOf(addresses(resolver))).isEqualTo(fresh);
                assertThat(resolver.status().healthy()).as("%s", resolver.status()).isTrue();
              });
    }
    System.out.printf(
        "%s: %d watch(es) moved to another member as unconfirmed%n",
        faulty.name(), unconfirmedRestarts.get());
  }

  private static List<String> addresses(EtcdResolver resolver) {
    return resolver.resolve(SERVICE).instances().stream()
        .map(Instance::address)
        .sorted()
        .collect(Collectors.toList());
  }

  private Set<String> freshRead(Client client) throws Exception {
    Set<String> addresses = new TreeSet<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              addresses.clear();
              client
                  .getKVClient()
                  .get(bytes(PREFIX + SERVICE + "/"), GetOption.builder().isPrefix(true).build())
                  .get(3, TimeUnit.SECONDS)
                  .getKvs()
                  .forEach(
                      kv ->
                          addresses.add(InstanceCodec.decode(kv.getValue().getBytes()).address()));
              return true;
            });
    return addresses;
  }

  /** Lets the fault go on until {@code nanos} ({@link System#nanoTime()}). */
  private static void waitUntil(long nanos) {
    Duration left = Duration.ofNanos(Math.max(0, nanos - System.nanoTime()));
    await().pollDelay(left).atMost(left.plusSeconds(1)).until(() -> true);
  }

  /** Retries a write while the cluster elects a leader (a frozen or cut-off leader). */
  private static void awaitWritten(Write write) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(
            () -> {
              write.run();
              return true;
            });
  }

  private interface Write {
    void run() throws Exception;
  }

  private static String key(String address) {
    return PREFIX + SERVICE + "/" + address;
  }

  private static void put(Client client, String address) throws Exception {
    client
        .getKVClient()
        .put(
            bytes(key(address)),
            ByteSequence.from(InstanceCodec.encode(new Instance("tcp", address, 10, null))))
        .get(3, TimeUnit.SECONDS);
  }

  private static void putService(Client client, String service) throws Exception {
    client
        .getKVClient()
        .put(
            bytes(PREFIX + service + "/10.0.2.1:1"),
            ByteSequence.from(InstanceCodec.encode(new Instance("tcp", "10.0.2.1:1", 10, null))))
        .get(3, TimeUnit.SECONDS);
  }

  private static Client direct(EtcdMember member) {
    return Client.builder().endpoints(member.directClientEndpoint()).build();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
