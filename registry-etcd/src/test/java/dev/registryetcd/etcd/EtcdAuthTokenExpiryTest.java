package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End to end with auth on and etcd's simple tokens expiring after 2 s unused: a registry and a
 * resolver (a client each) outlive their tokens. The resolver checks its watches' liveness only
 * every minute here, so its client sends nothing while idle and its token does expire. A watch
 * created after that is refused once and its stream authenticates again; after a stream break with
 * an expired token the resolver's watches resume on a re-authenticated stream, none ending refused
 * and no service read again (its jetcd client counts the range reads it sends). The log
 * (slf4j-simple writes to System.err, captured here) never says "permission denied".
 */
class EtcdAuthTokenExpiryTest {
  private static final String USER = "svc";
  private static final String PASSWORD = "svc-Pa55word";
  private static final String RANGE = "etcdserverpb.KV/Range";

  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.of(AuthTokens.expiringAfterTwoSeconds());

  @Test
  void aResolverOutlivesItsTokenAndItsStreamAuthenticatesAgainForNewAndResumedWatches() {
    etcd.cluster().enableAuth(USER, PASSWORD, "kitex/registry-etcd/");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    System.setErr(new PrintStream(new TeeStream(originalErr, log), true, StandardCharsets.UTF_8));
    try {
      registerAndResolveAcrossExpiry();
    } finally {
      System.setErr(originalErr);
    }
    String logged = log.toString(StandardCharsets.UTF_8);
    assertThat(logged).contains("authenticating again on a new stream");
    assertThat(logged).doesNotContain("permission denied");
  }

  private void registerAndResolveAcrossExpiry() {
    RecordingListener echo = new RecordingListener();
    RecordingListener other = new RecordingListener();
    MethodCounter sent = new MethodCounter();
    try (Client resolverClient =
            Client.builder()
                .endpoints(etcd.member(0).clientEndpoint())
                .user(ByteSequence.from(USER, StandardCharsets.UTF_8))
                .password(ByteSequence.from(PASSWORD, StandardCharsets.UTF_8))
                .interceptor(sent)
                .build();
        EtcdRegistry registry =
            EtcdRegistry.newEtcdRegistryWithAuth(etcd.clientEndpointsAsHostPort(), USER, PASSWORD);
        EtcdResolver resolver =
            EtcdResolver.builder()
                .client(resolverClient)
                .watchLiveness(Duration.ofMinutes(1), Duration.ofSeconds(1))
                .build()) {
      registry.register(info("echo", 1));
      resolver.subscribe("echo", echo);
      await().atMost(Duration.ofSeconds(10)).until(() -> echo.addresses().size() == 1);

      // Every token given so far expires while neither client sends anything carrying one.
      AuthTokens.awaitAllExpired(etcd.member(0), USER);
      registry.register(info("echo", 2));
      await().atMost(Duration.ofSeconds(10)).until(() -> echo.addresses().size() == 2);

      // A watch created on the resolver's stream after its token expired.
      resolver.subscribe("other", other);
      registry.register(info("other", 3));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> other.addresses().equals(List.of("127.0.0.1:3")));
      registry.register(info("echo", 4));
      await().atMost(Duration.ofSeconds(10)).until(() -> echo.addresses().size() == 3);

      // The tokens expire again, then every connection breaks: the watches resume on new streams
      // that carry an expired token.
      AuthTokens.awaitAllExpired(etcd.member(0), USER);
      long readsBeforeBreak = sent.count(RANGE);
      etcd.member(0).clientProxy().reset();
      registry.register(info("echo", 5));
      await().atMost(Duration.ofSeconds(15)).until(() -> echo.addresses().size() == 4);
      registry.register(info("other", 6));
      await().atMost(Duration.ofSeconds(10)).until(() -> other.addresses().size() == 2);

      assertThat(sent.count(RANGE)).isEqualTo(readsBeforeBreak); // resumed, not read again
      assertThat(echo.added())
          .containsExactly("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:4", "127.0.0.1:5");
      assertThat(other.added()).containsExactly("127.0.0.1:3", "127.0.0.1:6");
      assertThat(echo.errors).isEmpty();
      assertThat(other.errors).isEmpty();
    }
  }

  /** Counts the messages a jetcd client sends, by gRPC method. */
  private static final class MethodCounter implements ClientInterceptor {
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();

    @Override
    public <Q, A> ClientCall<Q, A> interceptCall(
        MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
      LongAdder count = sent.computeIfAbsent(method.getFullMethodName(), name -> new LongAdder());
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void sendMessage(Q message) {
          count.increment();
          super.sendMessage(message);
        }
      };
    }

    long count(String method) {
      LongAdder count = sent.get(method);
      return count == null ? 0 : count.sum();
    }
  }

  /** Writes to both streams. */
  private static final class TeeStream extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    TeeStream(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      first.write(b, off, len);
      second.write(b, off, len);
    }
  }

  private static Info info(String service, int port) {
    return Info.builder()
        .serviceName(service)
        .address(new InetSocketAddress("127.0.0.1", port))
        .build();
  }
}
