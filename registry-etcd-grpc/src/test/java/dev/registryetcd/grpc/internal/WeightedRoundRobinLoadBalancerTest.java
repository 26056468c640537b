package dev.registryetcd.grpc.internal;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.grpc.EtcdAttributes;
import dev.registryetcd.grpc.internal.FakeHelper.FakeSubchannel;
import io.grpc.Attributes;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinLoadBalancerTest {
  private final FakeHelper helper = new FakeHelper();
  private final WeightedRoundRobinLoadBalancer balancer =
      new WeightedRoundRobinLoadBalancer(helper);

  @Test
  void addressUpdateKeepsUnchangedSubchannelsAndOnlyCreatesOrShutsDownTheDifference() {
    accept(group(1, 10), group(2, 10));
    FakeSubchannel one = helper.created.get(0);
    FakeSubchannel two = helper.created.get(1);
    assertThat(one.connectionRequests).isEqualTo(1);

    accept(group(2, 30), group(3, 10));

    assertThat(helper.created).hasSize(3);
    assertThat(one.shutdown).isTrue();
    assertThat(two.shutdown).isFalse();
    assertThat(two.addresses).containsExactly(group(2, 30));
    assertThat(helper.created.get(2).addresses).containsExactly(group(3, 10));
  }

  @Test
  void picksOnlyReadySubchannelsInProportionToTheirWeights() {
    accept(group(1, 1), group(2, 3), group(3, 2));
    FakeSubchannel one = helper.created.get(0);
    FakeSubchannel two = helper.created.get(1);
    FakeSubchannel three = helper.created.get(2);
    one.become(READY);
    two.become(READY);
    three.become(
        ConnectivityStateInfo.forTransientFailure(Status.UNAVAILABLE.withDescription("refused")));

    assertThat(helper.state).isEqualTo(READY);
    assertThat(counts(8)).containsExactlyInAnyOrderEntriesOf(Map.of(one, 2, two, 6));
  }

  @Test
  void weightChangeMakesANewPickerWithoutTouchingConnections() {
    accept(group(1, 1), group(2, 1));
    helper.created.forEach(subchannel -> subchannel.become(READY));
    assertThat(counts(10).values()).containsExactlyInAnyOrder(5, 5);

    accept(group(1, 1), group(2, 9));

    assertThat(helper.created).hasSize(2).noneMatch(subchannel -> subchannel.shutdown);
    assertThat(counts(10))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(helper.created.get(0), 1, helper.created.get(1), 9));
  }

  @Test
  void waitsWhileSubchannelsConnectForTheFirstTime() {
    accept(group(1, 1), group(2, 1));
    helper.created.get(0).become(CONNECTING);

    assertThat(helper.state).isEqualTo(CONNECTING);
    assertThat(helper.pick().hasResult()).isFalse();
    assertThat(helper.pick().getStatus().isOk()).isTrue();
  }

  @Test
  void failsWithTheLastErrorWhenEveryInstanceFailedAndStaysFailedUntilOneIsReady() {
    accept(group(1, 1), group(2, 1));
    FakeSubchannel one = helper.created.get(0);
    FakeSubchannel two = helper.created.get(1);
    one.become(
        ConnectivityStateInfo.forTransientFailure(
            Status.UNAVAILABLE.withDescription("one refused")));
    two.become(
        ConnectivityStateInfo.forTransientFailure(
            Status.UNAVAILABLE.withDescription("two refused")));

    assertThat(helper.state).isEqualTo(TRANSIENT_FAILURE);
    Status error = helper.pick().getStatus();
    assertThat(error.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(error.getDescription())
        .contains("none of the 2 instance(s) of echo is reachable", "two refused");
    assertThat(one.connectionRequests).isEqualTo(2); // once at start, once after failing
    assertThat(helper.refreshes).isEqualTo(2);

    // Reconnecting after a failure does not flap the channel back to CONNECTING.
    one.become(CONNECTING);
    assertThat(helper.state).isEqualTo(TRANSIENT_FAILURE);

    one.become(READY);
    assertThat(helper.state).isEqualTo(READY);
    assertThat(helper.pick().getSubchannel()).isSameAs(one);
  }

  @Test
  void idleSubchannelIsAskedToConnectAgain() {
    accept(group(1, 1));
    FakeSubchannel one = helper.created.get(0);
    one.become(READY);

    one.become(IDLE);

    assertThat(one.connectionRequests).isEqualTo(2);
    assertThat(helper.state).isEqualTo(CONNECTING);
  }

  @Test
  void resolutionErrorKeepsServingReadySubchannels() {
    accept(group(1, 1));
    helper.created.get(0).become(READY);

    balancer.handleNameResolutionError(
        Status.UNAVAILABLE.withDescription("no instance remains for echo"));

    assertThat(helper.state).isEqualTo(READY);
    assertThat(helper.pick().getSubchannel()).isSameAs(helper.created.get(0));
  }

  @Test
  void resolutionErrorWithNothingReadyFailsCallsWithIt() {
    balancer.handleNameResolutionError(
        Status.UNAVAILABLE.withDescription("no instance remains for echo"));

    assertThat(helper.state).isEqualTo(TRANSIENT_FAILURE);
    assertThat(helper.pick().getStatus().getDescription())
        .isEqualTo("no instance remains for echo");
  }

  @Test
  void addressesWithoutAWeightCountAsWeightOne() {
    accept(new EquivalentAddressGroup(address(1)), group(2, 3));
    helper.created.forEach(subchannel -> subchannel.become(READY));

    assertThat(counts(4))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(helper.created.get(0), 1, helper.created.get(1), 3));
  }

  @Test
  void goWeightsTwoToTheFortyAndIntMaxReadFromEtcdBalance512To1AsInGo() {
    // Go's int is 64 bits: a Kitex server may register any weight up to 2^63-1.
    List<Instance> instances =
        List.of(
            goValue("10.0.0.1:8888", "1099511627776"), // 2^40
            goValue("10.0.0.2:8888", "2147483647")); // 2^31-1
    accept(
        InstanceAddresses.toAddressGroups("echo", instances, new HashSet<>())
            .getValue()
            .toArray(new EquivalentAddressGroup[0]));
    helper.created.forEach(subchannel -> subchannel.become(READY));

    Map<Subchannel, Integer> counts = counts(513 * 1000);

    // Go picks 512 times the one for the other; clamped to Java's int they would be 1:1.
    assertThat(counts.get(helper.created.get(0))).isBetween(511_999, 512_001);
    assertThat(counts.get(helper.created.get(1))).isBetween(999, 1001);
  }

  private static Instance goValue(String address, String weight) {
    String json =
        "{\"network\":\"tcp\",\"address\":\""
            + address
            + "\",\"weight\":"
            + weight
            + ",\"tags\":null}";
    return InstanceCodec.decodeInstance(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void shutdownShutsEverySubchannelDown() {
    accept(group(1, 1), group(2, 1));

    balancer.shutdown();

    assertThat(helper.created).allMatch(subchannel -> subchannel.shutdown);
  }

  private void accept(EquivalentAddressGroup... groups) {
    Status status =
        balancer.acceptResolvedAddresses(
            ResolvedAddresses.newBuilder().setAddresses(List.of(groups)).build());
    assertThat(status.isOk()).isTrue();
  }

  private Map<Subchannel, Integer> counts(int picks) {
    Map<Subchannel, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      PickResult pick = helper.pick();
      counts.merge(pick.getSubchannel(), 1, Integer::sum);
    }
    return counts;
  }

  private static EquivalentAddressGroup group(int host, int weight) {
    return new EquivalentAddressGroup(
        address(host), Attributes.newBuilder().set(EtcdAttributes.WEIGHT, (long) weight).build());
  }

  private static InetSocketAddress address(int host) {
    return new InetSocketAddress("10.0.0." + host, 8888);
  }
}
