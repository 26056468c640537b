package dev.registryetcd.etcd.internal.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reading many prefixes at once against a real etcd: a few transactions instead of a read each,
 * every prefix answered as its own read would be, one read per prefix when etcd refuses the
 * transaction, and each read failed with the timeout when etcd does not answer (a blackholed
 * proxy). A gRPC interceptor on the client counts what it sends.
 */
class StreamRangeSourceTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static int round;

  @Test
  void readEachAnswersEveryPrefixAsItsOwnReadInOneTransactionPer128Prefixes() throws Exception {
    String root = "rs" + (++round) + "/";
    Sent sent = new Sent();
    try (Client client = client(etcd.clientEndpoints(), sent);
        StreamRangeSource source = new StreamRangeSource(client, Duration.ofSeconds(5))) {
      List<String> prefixes = putServices(client, root, 300);
      sent.clear();

      List<RangeRead> together = await(source.readEach(prefixes, false));

      assertThat(sent.count("Txn")).isEqualTo(3); // 128 + 128 + 44
      assertThat(sent.count("Range")).isZero();
      for (int i = 0; i < prefixes.size(); i++) {
        RangeRead alone = source.read(prefixes.get(i), false).get(5, TimeUnit.SECONDS);
        assertThat(text(together.get(i))).isEqualTo(text(alone)).hasSize(i % 3);
        // one snapshot: every read of a transaction has its revision, at least the last put's
        assertThat(together.get(i).revision())
            .isEqualTo(together.get(i / 128 * 128).revision())
            .isGreaterThanOrEqualTo(alone.revision());
      }
    }
  }

  @Test
  void readEachOfKeysOnlyReadsNoValue() throws Exception {
    String root = "rs" + (++round) + "/";
    try (Client client = client(etcd.clientEndpoints(), new Sent());
        StreamRangeSource source = new StreamRangeSource(client, Duration.ofSeconds(5))) {
      List<String> prefixes = putServices(client, root, 6);

      List<RangeRead> reads = await(source.readEach(prefixes, true));

      assertThat(reads.get(2).kvs()).hasSize(2);
      assertThat(reads.stream().flatMap(read -> read.kvs().stream()))
          .hasSize(6)
          .allMatch(kv -> kv.value().length == 0);
    }
  }

  @Test
  void aTransactionEtcdRefusesIsReadPrefixByPrefix() throws Exception {
    try (EtcdCluster small =
        EtcdCluster.builder()
            .name("max-txn-ops-4")
            .extraFlags(List.of("--max-txn-ops=4"))
            .start()) {
      Sent sent = new Sent();
      try (Client client = client(small.clientEndpoints(), sent);
          StreamRangeSource source = new StreamRangeSource(client, Duration.ofSeconds(5))) {
        List<String> prefixes = putServices(client, "refused/", 10);
        sent.clear();

        List<RangeRead> reads = await(source.readEach(prefixes, false));

        assertThat(sent.count("Txn")).isEqualTo(1);
        assertThat(sent.count("Range")).isEqualTo(10);
        for (int i = 0; i < prefixes.size(); i++) {
          String prefix = prefixes.get(i);
          assertThat(text(reads.get(i))).hasSize(i % 3).allMatch(kv -> kv.startsWith(prefix));
        }
      }
    }
  }

  @Test
  void aTransactionEtcdDoesNotAnswerInTimeFailsEachReadWithTheTimeout() throws Exception {
    try (EtcdCluster faulty = EtcdCluster.builder().name("silent").networkFaults().start()) {
      EtcdMember member = faulty.member(0);
      Sent sent = new Sent();
      try (Client client = client(List.of(member.clientEndpoint()), sent);
          StreamRangeSource source = new StreamRangeSource(client, Duration.ofMillis(500))) {
        List<String> prefixes = putServices(client, "silent/", 5);
        member.clientProxy().blackhole();
        sent.clear();

        List<CompletableFuture<RangeRead>> answers = source.readEach(prefixes, false);

        for (CompletableFuture<RangeRead> answer : answers) {
          assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .hasCauseInstanceOf(TimeoutException.class);
        }
        // as each prefix's own read would have: no second try, which would double the wait
        assertThat(sent.count("Range")).isZero();
      } finally {
        member.clientProxy().heal();
      }
    }
  }

  /** Services {@code root}svc-i/ with i % 3 instances each; their prefixes in order. */
  private static List<String> putServices(Client client, String root, int services)
      throws Exception {
    List<String> prefixes = new ArrayList<>();
    List<CompletableFuture<?>> puts = new ArrayList<>();
    for (int i = 0; i < services; i++) {
      String prefix = root + "svc-" + i + "/";
      prefixes.add(prefix);
      for (int k = 0; k < i % 3; k++) {
        puts.add(
            client.getKVClient().put(bytes(prefix + "10.0.0." + k + ":1"), bytes("v" + i + k)));
      }
    }
    for (CompletableFuture<?> put : puts) {
      put.get(10, TimeUnit.SECONDS);
    }
    return prefixes;
  }

  private static List<RangeRead> await(List<CompletableFuture<RangeRead>> answers)
      throws Exception {
    List<RangeRead> reads = new ArrayList<>();
    for (CompletableFuture<RangeRead> answer : answers) {
      reads.add(answer.get(10, TimeUnit.SECONDS));
    }
    return reads;
  }

  private static List<String> text(RangeRead read) {
    List<String> kvs = new ArrayList<>();
    for (Kv kv : read.kvs()) {
      kvs.add(
          kv.key() + "=" + new String(kv.value(), StandardCharsets.UTF_8) + "@" + kv.modRevision());
    }
    return kvs;
  }

  private static Client client(List<String> endpoints, Sent sent) {
    return Client.builder().endpoints(endpoints.toArray(String[]::new)).interceptor(sent).build();
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  /** Counts the calls the client starts, by method name ({@code Txn}, {@code Range}). */
  private static final class Sent implements ClientInterceptor {
    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(
        MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      String name = method.getFullMethodName();
      calls
          .computeIfAbsent(name.substring(name.lastIndexOf('/') + 1), k -> new AtomicInteger())
          .incrementAndGet();
      return next.newCall(method, options);
    }

    int count(String method) {
      AtomicInteger count = calls.get(method);
      return count == null ? 0 : count.get();
    }

    void clear() {
      calls.clear();
    }
  }
}
