package dev.registryetcd.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistrationAddressTest {
  private static final Map<String, String> NO_ENV = Map.of();

  private static RegistrationAddress of(
      InetSocketAddress listen, Map<String, String> env, String localIPv4) {
    return RegistrationAddress.of(listen, null, env::get, () -> Optional.ofNullable(localIPv4));
  }

  @Test
  void concreteAddressIsKeptAsIs() {
    assertThat(of(new InetSocketAddress("10.0.0.7", 8888), NO_ENV, "192.168.1.2"))
        .isEqualTo(new RegistrationAddress("tcp", "10.0.0.7:8888"));
  }

  @Test
  void wildcardHostsBecomeTheLocalIPv4() {
    assertThat(of(new InetSocketAddress("0.0.0.0", 1), NO_ENV, "192.168.1.2").address())
        .isEqualTo("192.168.1.2:1");
    assertThat(of(new InetSocketAddress("::", 1), NO_ENV, "192.168.1.2").address())
        .isEqualTo("192.168.1.2:1");
    assertThat(of(new InetSocketAddress(1), NO_ENV, "192.168.1.2").address())
        .isEqualTo("192.168.1.2:1");
  }

  @Test
  void wildcardWithoutLocalIPv4IsRefusedWithTheFix() {
    assertThatThrownBy(() -> of(new InetSocketAddress("0.0.0.0", 1), NO_ENV, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("address")
        .hasMessageContaining("KITEX_IP_TO_REGISTRY");
  }

  @Test
  void environmentReplacesHostAndPortWhenSetAndNonEmpty() {
    Map<String, String> env =
        Map.of("KITEX_IP_TO_REGISTRY", "10.9.9.9", "KITEX_PORT_TO_REGISTRY", "7000");
    assertThat(of(new InetSocketAddress("0.0.0.0", 1), env, null).address())
        .isEqualTo("10.9.9.9:7000");

    Map<String, String> empty = Map.of("KITEX_IP_TO_REGISTRY", "", "KITEX_PORT_TO_REGISTRY", "");
    assertThat(of(new InetSocketAddress("10.0.0.1", 1), empty, null).address())
        .isEqualTo("10.0.0.1:1");
  }

  @Test
  void badPortFromEnvironmentIsRefusedNamingTheVariable() {
    assertThatThrownBy(
            () ->
                of(
                    new InetSocketAddress("10.0.0.1", 1),
                    Map.of("KITEX_PORT_TO_REGISTRY", "http"),
                    null))
        .hasMessageContaining("KITEX_PORT_TO_REGISTRY");
  }

  @Test
  void portZeroIsRefused() {
    assertThatThrownBy(() -> of(new InetSocketAddress("10.0.0.1", 0), NO_ENV, null))
        .hasMessageContaining("port");
  }

  @Test
  void ipv6IsBracketedAndCompressed() {
    assertThat(of(new InetSocketAddress("0:0:0:0:0:0:0:1", 8888), NO_ENV, null).address())
        .isEqualTo("[::1]:8888");
    assertThat(
            of(new InetSocketAddress("fe80:0:0:0:1ff:fe23:4567:890a", 443), NO_ENV, null).address())
        .isEqualTo("[fe80::1ff:fe23:4567:890a]:443");
  }

  @Test
  void hostNamesAreKeptWithoutLookup() {
    assertThat(
            of(InetSocketAddress.createUnresolved("echo-0.echo.svc", 8888), NO_ENV, null).address())
        .isEqualTo("echo-0.echo.svc:8888");
  }

  @Test
  void fixedAddressWinsOverEverything() {
    Map<String, String> env = Map.of("KITEX_IP_TO_REGISTRY", "10.9.9.9");
    RegistrationAddress address =
        RegistrationAddress.of(
            new InetSocketAddress("0.0.0.0", 1),
            UnixDomainSocketAddress.of("/run/echo.sock"),
            env::get,
            Optional::empty);

    assertThat(address).isEqualTo(new RegistrationAddress("unix", "/run/echo.sock"));
  }
}
