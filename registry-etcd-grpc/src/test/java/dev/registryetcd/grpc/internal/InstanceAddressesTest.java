package dev.registryetcd.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.grpc.EtcdAttributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceAddressesTest {

  @Test
  void eachInstanceBecomesOneResolvedAddressCarryingWeightAndTags() {
    StatusOr<List<EquivalentAddressGroup>> groups =
        InstanceAddresses.toAddressGroups(
            "echo",
            List.of(
                new Instance("tcp", "10.0.0.7:8888", 20, Map.of("zone", "b")),
                new Instance("tcp", "[::1]:9999", 10, null)),
            new HashSet<>());

    assertThat(groups.hasValue()).isTrue();
    EquivalentAddressGroup first = groups.getValue().get(0);
    InetSocketAddress address = (InetSocketAddress) first.getAddresses().get(0);
    assertThat(address.isUnresolved()).isFalse();
    assertThat(address.getAddress().getHostAddress()).isEqualTo("10.0.0.7");
    assertThat(address.getPort()).isEqualTo(8888);
    assertThat(first.getAttributes().get(EtcdAttributes.WEIGHT)).isEqualTo(20L);
    assertThat(first.getAttributes().get(EtcdAttributes.TAGS))
        .containsExactly(Map.entry("zone", "b"));

    EquivalentAddressGroup second = groups.getValue().get(1);
    InetAddress ipv6 = ((InetSocketAddress) second.getAddresses().get(0)).getAddress();
    assertThat(ipv6).isInstanceOf(Inet6Address.class);
    assertThat(ipv6.isLoopbackAddress()).isTrue();
    assertThat(second.getAttributes().get(EtcdAttributes.TAGS)).isEmpty();
  }

  @Test
  void noInstanceIsUnavailableNamingTheService() {
    StatusOr<List<EquivalentAddressGroup>> groups =
        InstanceAddresses.toAddressGroups("echo", List.of(), new HashSet<>());

    assertThat(groups.hasValue()).isFalse();
    assertThat(groups.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(groups.getStatus().getDescription()).isEqualTo("no instance remains for echo");
  }

  @Test
  void instancesGrpcCannotDialAreSkipped() {
    StatusOr<List<EquivalentAddressGroup>> groups =
        InstanceAddresses.toAddressGroups(
            "echo",
            List.of(
                new Instance("unix", "/tmp/echo.sock", 10, null),
                new Instance("tcp", "no-port", 10, null),
                new Instance("tcp", "127.0.0.1:7777", 10, null)),
            new HashSet<>());

    assertThat(groups.getValue()).hasSize(1);
    assertThat(((InetSocketAddress) groups.getValue().get(0).getAddresses().get(0)).getPort())
        .isEqualTo(7777);
  }

  @Test
  void onlyUndialableInstancesAreUnavailableSayingWhy() {
    StatusOr<List<EquivalentAddressGroup>> groups =
        InstanceAddresses.toAddressGroups(
            "echo", List.of(new Instance("unix", "/tmp/echo.sock", 10, null)), new HashSet<>());

    assertThat(groups.hasValue()).isFalse();
    assertThat(groups.getStatus().getDescription())
        .contains("no instance of echo can be dialed", "/tmp/echo.sock", "network unix");
  }
}
