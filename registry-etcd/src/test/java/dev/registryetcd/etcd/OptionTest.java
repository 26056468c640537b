package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.registry.RegistryException;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OptionTest {
  @TempDir Path dir;

  @Test
  void defaultsAreTheSameForEveryFactory() {
    Settings settings = new Settings(List.of("127.0.0.1:2379"));

    assertThat(settings.prefix()).isEqualTo("kitex/registry-etcd");
    assertThat(settings.defaultWeight()).isEqualTo(10);
    assertThat(settings.leaseTtl(name -> null)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void leaseTtlComesFromTheEnvironmentUnlessTheOptionIsGiven() {
    Map<String, String> env = Map.of("KITEX_ETCD_REGISTRY_LEASE_TTL", "7");

    assertThat(new Settings(List.of("h:1")).leaseTtl(env::get)).isEqualTo(Duration.ofSeconds(7));
    assertThat(
            new Settings(List.of("h:1"), Option.withLeaseTtl(Duration.ofSeconds(3)))
                .leaseTtl(env::get))
        .isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void badLeaseTtlIsRefusedNamingItsSource() {
    Map<String, String> env = Map.of("KITEX_ETCD_REGISTRY_LEASE_TTL", "soon");
    assertThatThrownBy(() -> new Settings(List.of("h:1")).leaseTtl(env::get))
        .hasMessageContaining("KITEX_ETCD_REGISTRY_LEASE_TTL");
    assertThatThrownBy(() -> Option.withLeaseTtl(Duration.ofMillis(1500)))
        .hasMessageContaining("whole number");
  }

  @Test
  void optionsRefuseBadArgumentsNamingThem() {
    assertThatThrownBy(() -> Option.withDefaultWeight(0)).hasMessageContaining("defaultWeight");
    assertThatThrownBy(() -> Option.withDialTimeoutOpt(Duration.ZERO))
        .hasMessageContaining("dialTimeout");
    assertThatThrownBy(() -> Option.withEtcdServicePrefix("")).hasMessageContaining("prefix");
    assertThatThrownBy(() -> Option.withAuthOpt("", "p")).hasMessageContaining("username");
    assertThatThrownBy(() -> Option.withTLSOpt("c.pem", null, "ca.pem"))
        .hasMessageContaining("keyFile");
  }

  @Test
  void passwordNeverShowsInToString() {
    Option auth = Option.withAuthOpt("root", "s3cr3t-pw");
    Settings settings = new Settings(List.of("127.0.0.1:2379"), auth);

    assertThat(auth.toString()).contains("root").doesNotContain("s3cr3t-pw");
    assertThat(settings.toString()).doesNotContain("s3cr3t-pw");
    assertThat(settings.clientSettings().toString()).doesNotContain("s3cr3t-pw");
  }

  @Test
  void missingTlsFileFailsAtConstructionNamingTheFile() {
    Path missing = dir.resolve("nope-ca.pem");
    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(
                    List.of("127.0.0.1:2379"), Option.withTLSOpt(null, null, missing.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("caFile")
        .hasMessageContaining(missing.toString());
  }

  @Test
  void malformedTlsFileFailsAtConstructionNamingTheFile() throws IOException {
    Path garbage = Files.writeString(dir.resolve("garbage-ca.pem"), "not a certificate");
    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(
                    List.of("127.0.0.1:2379"), Option.withTLSOpt(null, null, garbage.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(garbage.toString());
  }

  @Test
  void badEndpointsAreRefusedNamingTheEndpoint() {
    assertThatThrownBy(() -> EtcdRegistry.newEtcdRegistry(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoints");
    assertThatThrownBy(() -> EtcdRegistry.newEtcdRegistry(List.of("ftp://127.0.0.1:2379")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ftp://127.0.0.1:2379");
    assertThatThrownBy(() -> EtcdRegistry.newEtcdRegistry(List.of("127.0.0.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }

  @Test
  void unreachableEtcdFailsRegisterWithinTheDialTimeout() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(
            List.of("127.0.0.1:" + closedPort),
            Option.withDialTimeoutOpt(Duration.ofMillis(500)))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> registry.register(EtcdFixture.echoAt(1)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("etcd");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void unreachableEtcdFailsTheFirstResolveWithinTheDialTimeoutSayingWhatToCheck()
      throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (EtcdResolver resolver =
        EtcdResolver.newEtcdResolver(
            List.of("127.0.0.1:" + closedPort),
            Option.withDialTimeoutOpt(Duration.ofMillis(500)))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> resolver.resolve("echo"))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("kitex/registry-etcd/echo/")
          .hasMessageContaining("is etcd running");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }
}
