package dev.registryetcd.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.grpc.EtcdAttributes;
import dev.registryetcd.grpc.ResolverArgs;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The name resolver without etcd: an in-memory {@link dev.registryetcd.discovery.LiveDiscovery},
 * gRPC's own {@link SynchronizationContext}, and an offload executor the test runs by hand. (The
 * resolver schedules nothing on a clock, so gRPC's {@code FakeClock}, in grpc-core's test jar that
 * is not available here, is not needed: the manual executor decides when subscribing happens.)
 */
class EtcdNameResolverTest {
  private static final String SERVICE = "echo";

  private final List<Throwable> uncaught = new ArrayList<>();
  private final SynchronizationContext syncContext =
      new SynchronizationContext((thread, error) -> uncaught.add(error));
  private final ManualExecutor offload = new ManualExecutor();
  private final FakeLiveDiscovery discovery = new FakeLiveDiscovery();
  private final RecordingListener listener = new RecordingListener();
  private final AtomicInteger supplied = new AtomicInteger();
  private EtcdNameResolver resolver;

  @BeforeEach
  void setUp() {
    resolver =
        new EtcdNameResolver(
            SERVICE,
            () -> {
              supplied.incrementAndGet();
              return discovery;
            },
            args());
  }

  @Test
  void subscribesOffTheSynchronizationContextAndDeliversAddressesWithWeights() {
    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10), instance("10.0.0.2:8080", 20));

    syncContext.execute(() -> resolver.start(listener));
    assertThat(discovery.subscriptions).isEmpty(); // not before the offload executor runs
    offload.runAll();

    assertThat(discovery.subscriptions).hasSize(1);
    assertThat(listener.errors).isEmpty();
    assertThat(listener.results).hasSize(1);
    List<EquivalentAddressGroup> groups = listener.lastAddresses();
    assertThat(groups)
        .extracting(g -> g.getAddresses().get(0))
        .containsExactly(
            new InetSocketAddress("10.0.0.1", 8080), new InetSocketAddress("10.0.0.2", 8080));
    assertThat(groups)
        .extracting(g -> g.getAttributes().get(EtcdAttributes.WEIGHT))
        .containsExactly(10L, 20L);
    assertThat(resolver.getServiceAuthority()).isEqualTo(SERVICE);
    assertThat(uncaught).isEmpty();
  }

  @Test
  void aChangeDeliversTheNewList() {
    startAndSubscribe();
    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10));
    discovery.publish(SERVICE, instance("10.0.0.3:9090", 30), instance("10.0.0.1:8080", 5));

    assertThat(listener.results).hasSize(2);
    assertThat(listener.lastAddresses())
        .extracting(g -> g.getAddresses().get(0), g -> g.getAttributes().get(EtcdAttributes.WEIGHT))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(new InetSocketAddress("10.0.0.3", 9090), 30L),
            org.assertj.core.groups.Tuple.tuple(new InetSocketAddress("10.0.0.1", 8080), 5L));
  }

  @Test
  void aServiceWithoutInstancesIsAnUnavailableResolutionError() {
    startAndSubscribe();
    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10));
    discovery.publish(SERVICE);

    StatusOr<List<EquivalentAddressGroup>> last = listener.results.get(1).getAddressesOrError();
    assertThat(last.hasValue()).isFalse();
    assertThat(last.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(last.getStatus().getDescription()).contains("no instance remains for echo");
  }

  @Test
  void aFailedSubscribeIsUnavailableAndRefreshTriesAgain() {
    discovery.failNextSubscribe = new IllegalStateException("etcd is down");
    syncContext.execute(() -> resolver.start(listener));
    offload.runAll();

    assertThat(listener.errors).hasSize(1);
    assertThat(listener.errors.get(0).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(listener.errors.get(0).getDescription()).contains("etcd is down");
    assertThat(discovery.subscriptions).isEmpty();

    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10));
    syncContext.execute(resolver::refresh);
    offload.runAll();
    assertThat(supplied).hasValue(2);
    assertThat(discovery.subscriptions).hasSize(1);
    assertThat(listener.results).hasSize(1);

    syncContext.execute(resolver::refresh); // subscribed: nothing to do
    assertThat(offload.tasks).isEmpty();
  }

  @Test
  void etcdUnreadableBeforeTheFirstAnswerIsUnavailableAfterItIsIgnored() {
    startAndSubscribe();
    discovery.fail(SERVICE, new RuntimeException("no leader"));
    assertThat(listener.errors).hasSize(1);
    assertThat(listener.errors.get(0).getCode()).isEqualTo(Status.Code.UNAVAILABLE);

    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10));
    discovery.fail(SERVICE, new RuntimeException("no leader"));
    assertThat(listener.errors).hasSize(1); // the channel keeps its last addresses
    assertThat(listener.results).hasSize(1);
  }

  @Test
  void shutdownUnsubscribesAndNothingReachesTheListenerAfterwards() {
    startAndSubscribe();
    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10));
    FakeLiveDiscovery.Sub sub = discovery.subscriptions.get(0);

    syncContext.execute(resolver::shutdown);
    assertThat(sub.closed).isTrue();
    assertThat(discovery.subscriptions).isEmpty();

    // A change already on its way when the subscription closed is dropped too.
    sub.listener.onChange(
        new dev.registryetcd.discovery.Change(
            new dev.registryetcd.discovery.Result(
                true, SERVICE, List.of(instance("10.0.0.9:1", 1))),
            List.of(),
            List.of(),
            List.of()));
    sub.listener.onError(new RuntimeException("late"));
    assertThat(listener.results).hasSize(1);
    assertThat(listener.errors).isEmpty();
    syncContext.execute(resolver::shutdown); // idempotent
  }

  @Test
  void shutdownBeforeTheSubscriptionIsMadeClosesItWhenItArrives() {
    syncContext.execute(() -> resolver.start(listener));
    syncContext.execute(resolver::shutdown);
    offload.runAll();

    assertThat(discovery.subscriptions).isEmpty();
    discovery.publish(SERVICE, instance("10.0.0.1:8080", 10));
    assertThat(listener.results).isEmpty();
    assertThat(listener.errors).isEmpty();
  }

  private void startAndSubscribe() {
    syncContext.execute(() -> resolver.start(listener));
    offload.runAll();
    assertThat(discovery.subscriptions).hasSize(1);
  }

  private static Instance instance(String address, int weight) {
    return new Instance("tcp", address, weight, Map.of());
  }

  private NameResolver.Args args() {
    return ResolverArgs.with(syncContext).setOffloadExecutor(offload).build();
  }

  /** Runs its tasks only when the test says so, on the test's thread. */
  private static final class ManualExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
        task.run();
      }
    }
  }

  private static final class RecordingListener extends NameResolver.Listener2 {
    final List<NameResolver.ResolutionResult> results = new ArrayList<>();
    final List<Status> errors = new ArrayList<>();

    @Override
    public void onResult(NameResolver.ResolutionResult result) {
      results.add(result);
    }

    @Override
    public Status onResult2(NameResolver.ResolutionResult result) {
      results.add(result);
      return Status.OK;
    }

    @Override
    public void onError(Status error) {
      errors.add(error);
    }

    List<EquivalentAddressGroup> lastAddresses() {
      StatusOr<List<EquivalentAddressGroup>> last =
          results.get(results.size() - 1).getAddressesOrError();
      assertThat(last.hasValue()).as("%s", last).isTrue();
      return last.getValue();
    }
  }
}
