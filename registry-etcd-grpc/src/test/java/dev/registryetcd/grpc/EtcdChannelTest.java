package dev.registryetcd.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.AbstractStringAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Real etcd, real Netty servers and channels: what a gRPC client of {@code etcd:///service} sees.
 */
class EtcdChannelTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final String WEIGHTED = EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME;
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static EtcdNameResolverProvider provider;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private EtcdRegistry registry;

  @BeforeAll
  static void makeProvider() {
    provider = EtcdNameResolverProvider.forEndpoints(etcd.clientEndpoints());
  }

  @AfterAll
  static void closeProvider() {
    provider.close();
  }

  @BeforeEach
  void makeRegistry() {
    registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    registry.close();
  }

  @Test
  void channelFindsRegisteredServersAndFollowsRegistrationsAsTheyHappen() {
    String service = "echo-follow";
    EchoServer a = server("a");
    EchoServer b = server("b");
    Info infoA = register(service, a, 10);
    register(service, b, 10);
    ManagedChannel channel = channel(service, WEIGHTED);

    Set<String> seen = new HashSet<>();
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(5))
        .untilAsserted(
            () -> {
              seen.add(EchoServer.call(channel));
              assertThat(seen).containsExactlyInAnyOrder("a", "b");
            });

    // Pushed by etcd's watch: nothing polls, so this bound is far below any polling period worth
    // having.
    EchoServer c = server("c");
    register(service, c, 10);
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(5))
        .untilAsserted(
            () -> {
              EchoServer.call(channel);
              assertThat(c.calls()).isPositive();
            });

    registry.deregister(infoA);
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(5))
        .untilAsserted(
            () -> {
              int before = a.calls();
              for (int i = 0; i < 6; i++) {
                assertThat(EchoServer.call(channel)).isIn("b", "c");
              }
              assertThat(a.calls()).isEqualTo(before);
            });
  }

  @Test
  void weightsOneTwoThreeGetOneTwoAndThreeCallsOfEverySix() {
    String service = "echo-weights";
    EchoServer one = server("one");
    EchoServer two = server("two");
    EchoServer three = server("three");
    register(service, one, 1);
    register(service, two, 2);
    register(service, three, 3);
    ManagedChannel channel = channel(service, WEIGHTED);
    awaitAllServe(channel, one, two, three);

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 600; i++) {
      counts.merge(EchoServer.call(channel), 1, Integer::sum);
    }

    // Smooth weighted round robin is deterministic: any 600 consecutive picks are 100 full cycles.
    assertThat(counts)
        .containsExactlyInAnyOrderEntriesOf(Map.of("one", 100, "two", 200, "three", 300));
  }

  @Test
  void registeredInstanceWhoseServerIsDownIsSkipped() throws IOException {
    String service = "echo-down";
    EchoServer live = server("live");
    register(service, live, 10);
    registry.register(
        Info.builder().serviceName(service).address(deadAddress()).weight(10).build());
    ManagedChannel channel = channel(service, WEIGHTED);

    for (int i = 0; i < 30; i++) {
      assertThat(EchoServer.call(channel)).isEqualTo("live");
    }
  }

  @Test
  void emptyServiceFailsWithUnavailableUntilAnInstanceRegisters() {
    String service = "echo-empty";
    ManagedChannel channel = channel(service, WEIGHTED);

    assertUnavailable(() -> EchoServer.call(channel))
        .contains("no instance remains for echo-empty");

    EchoServer late = server("late");
    register(service, late, 10);
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(20))
        .ignoreException(StatusRuntimeException.class)
        .until(() -> EchoServer.call(channel).equals("late"));
  }

  @Test
  void weightChangeShiftsTrafficWithoutFailingInFlightOrOngoingCalls() throws Exception {
    String service = "echo-reweigh";
    EchoServer a = server("a");
    EchoServer b = server("b");
    register(service, a, 1);
    Info infoB = register(service, b, 1);
    ManagedChannel channel = channel(service, WEIGHTED);
    awaitAllServe(channel, a, b);

    // Calls in flight on both servers while the weights change.
    List<Future<String>> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(
          ClientCalls.futureUnaryCall(
              channel.newCall(
                  Echo.METHOD, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
              EchoServer.HOLD));
    }
    await().atMost(BOUND).until(() -> a.held() + b.held() == 4);
    assertThat(a.held()).as("in-flight calls on a").isPositive();
    assertThat(b.held()).as("in-flight calls on b").isPositive();

    // And calls going on all along.
    AtomicBoolean going = new AtomicBoolean(true);
    AtomicInteger ongoing = new AtomicInteger();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Thread caller =
        new Thread(
            () -> {
              while (going.get()) {
                try {
                  EchoServer.call(channel);
                  ongoing.incrementAndGet();
                } catch (RuntimeException e) {
                  failures.add(e);
                }
              }
            },
            "ongoing-calls");
    caller.start();

    registry.register(infoB.toBuilder().weight(9).build());
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(5))
        .untilAsserted(
            () -> {
              int toB = 0;
              for (int i = 0; i < 20; i++) {
                toB += EchoServer.call(channel).equals("b") ? 1 : 0;
              }
              assertThat(toB)
                  .as("calls to b (weight 9 of 10) out of 20")
                  .isGreaterThanOrEqualTo(16);
            });

    going.set(false);
    caller.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(ongoing.get()).isPositive();
    assertThat(failures).isEmpty();
    a.release();
    b.release();
    for (Future<String> call : held) {
      assertThat(EchoServer.serverOf(call.get(10, TimeUnit.SECONDS), EchoServer.HOLD))
          .isIn("a", "b");
    }
  }

  @Test
  void defaultPickFirstPolicyWorksAndMovesOnWhenItsServerIsDeregistered() {
    String service = "echo-pick-first";
    EchoServer a = server("a");
    EchoServer b = server("b");
    Map<String, Info> infos = Map.of("a", register(service, a, 10), "b", register(service, b, 10));
    ManagedChannel channel = channel(service, null);

    String first = EchoServer.call(channel);
    assertThat(first).isIn("a", "b");
    registry.deregister(infos.get(first));

    String other = first.equals("a") ? "b" : "a";
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(10))
        .ignoreException(StatusRuntimeException.class)
        .until(() -> EchoServer.call(channel).equals(other));
  }

  @Test
  void targetAuthorityNamesTheEtcdEndpointsToUse() throws IOException {
    String service = "echo-authority";
    EchoServer s = server("s");
    register(service, s, 10);
    // The provider's own endpoint is dead: only the target's authority can find the server.
    try (EtcdNameResolverProvider elsewhere =
        EtcdNameResolverProvider.forEndpoints(
            List.of(hostPort(deadAddress())), Option.withDialTimeoutOpt(Duration.ofMillis(500)))) {
      ManagedChannel channel =
          channel(
              "etcd://" + String.join(",", etcd.clientEndpointsAsHostPort()) + "/" + service,
              elsewhere,
              null);
      assertThat(EchoServer.call(channel)).isEqualTo("s");
    }
  }

  @Test
  void unreachableEtcdAtStartSurfacesUnavailableNamingTheEndpointsAndTheCause() throws IOException {
    String dead = hostPort(deadAddress());
    try (EtcdNameResolverProvider unreachable =
        EtcdNameResolverProvider.forEndpoints(
            List.of(dead), Option.withDialTimeoutOpt(Duration.ofMillis(500)))) {
      ManagedChannel channel = channel("etcd:///echo-nowhere", unreachable, WEIGHTED);

      assertUnavailable(() -> EchoServer.call(channel))
          .contains("cannot read service echo-nowhere from etcd")
          .contains("etcd at http://" + dead)
          .contains("did not answer")
          .doesNotContain("null");
    }
  }

  @Test
  void providerForASharedResolverLeavesItOpen() {
    String service = "echo-shared";
    EchoServer s = server("s");
    register(service, s, 10);
    try (EtcdResolver shared = EtcdResolver.newEtcdResolver(etcd.clientEndpoints())) {
      EtcdNameResolverProvider onShared = EtcdNameResolverProvider.forResolver(shared);
      ManagedChannel channel = channel("etcd:///" + service, onShared, WEIGHTED);
      assertThat(EchoServer.call(channel)).isEqualTo("s");

      channel.shutdownNow();
      onShared.close();

      assertThat(shared.resolve(service).instances()).hasSize(1);
    }
  }

  // ---- helpers ----

  private EchoServer server(String name) {
    EchoServer server = EchoServer.start(name);
    toClose.add(server);
    return server;
  }

  /**
   * Asserts that {@code call} fails with {@code UNAVAILABLE}; the description is left to the
   * caller's assertions.
   */
  private static AbstractStringAssert<?> assertUnavailable(ThrowingCallable call) {
    Throwable thrown = catchThrowable(call);
    assertThat(thrown).isInstanceOf(StatusRuntimeException.class);
    Status status = ((StatusRuntimeException) thrown).getStatus();
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    return assertThat(status.getDescription());
  }

  private Info register(String service, EchoServer server, int weight) {
    Info info =
        Info.builder().serviceName(service).address(server.address()).weight(weight).build();
    registry.register(info);
    return info;
  }

  private ManagedChannel channel(String service, String policy) {
    return channel("etcd:///" + service, provider, policy);
  }

  @SuppressWarnings(
      "deprecation") // nameResolverFactory: the per-channel way to use a programmatic provider
  private ManagedChannel channel(
      String target, EtcdNameResolverProvider resolverProvider, String policy) {
    ManagedChannelBuilder<?> builder =
        ManagedChannelBuilder.forTarget(target)
            .nameResolverFactory(resolverProvider)
            .usePlaintext();
    if (policy != null) {
      builder.defaultLoadBalancingPolicy(policy);
    }
    ManagedChannel channel = builder.build();
    toClose.add(
        () -> {
          channel.shutdownNow();
          channel.awaitTermination(5, TimeUnit.SECONDS);
        });
    return channel;
  }

  /** Calls until every server answered once: all their subchannels are READY. */
  private static void awaitAllServe(ManagedChannel channel, EchoServer... servers) {
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(5))
        .untilAsserted(
            () -> {
              EchoServer.call(channel);
              for (EchoServer server : servers) {
                assertThat(server.calls()).as("calls to " + server).isPositive();
              }
            });
  }

  /** A loopback address nothing listens on (the port was free a moment ago). */
  static InetSocketAddress deadAddress() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }
  }

  static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }
}
