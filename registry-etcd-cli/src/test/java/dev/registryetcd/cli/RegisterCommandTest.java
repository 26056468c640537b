package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.KeyValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RegisterCommandTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @RegisterExtension final ScratchPrefix keys = new ScratchPrefix(etcd);
  private final String prefix = keys.prefix();

  @Test
  void registerMakesTheKeyAppearAndDisappearWhenItEnds() throws Exception {
    String key = prefix + "/echo/10.0.0.7:8888";
    Cli register =
        startRegister(
            "10.0.0.7:8888",
            "--weight",
            "20",
            "--tag",
            "zone=a",
            "--lease-ttl",
            "10s",
            "--for",
            "2s");

    await().atMost(Duration.ofSeconds(10)).until(() -> !keys.get(key).isEmpty());
    KeyValue stored = keys.get(key).get(0);
    assertThat(stored.getValue().toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"network\":\"tcp\",\"address\":\"10.0.0.7:8888\",\"weight\":20,\"tags\":{\"zone\":\"a\"}}");
    assertThat(stored.getLease()).isNotZero();

    Cli.Result result = register.result().get(15, TimeUnit.SECONDS);
    assertThat(result.exitCode()).isZero();
    assertThat(keys.get(key)).as("the lease was revoked when the command ended").isEmpty();
    assertThat(result.out().lines())
        .containsExactly(
            "registered " + key + " (lease " + Long.toHexString(stored.getLease()) + ")",
            "deregistered " + key);
  }

  @Test
  void registerWritesAWeightBeyondJavaIntWholeAsGoWritesItsSixtyFourBitInt() throws Exception {
    String key = prefix + "/echo/10.0.0.8:8888";
    Cli register = startRegister("10.0.0.8:8888", "--weight", "1099511627776", "--for", "2s");

    await().atMost(Duration.ofSeconds(10)).until(() -> !keys.get(key).isEmpty());
    assertThat(keys.get(key).get(0).getValue().toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"network\":\"tcp\",\"address\":\"10.0.0.8:8888\",\"weight\":1099511627776,"
                + "\"tags\":null}");
    assertThat(register.result().get(15, TimeUnit.SECONDS).exitCode()).isZero();
  }

  @Test
  void endingWhileEtcdDoesNotAnswerSaysWhichKeyStaysAndUntilWhenAndExitsWithTheEtcdCode()
      throws Exception {
    String key = prefix + "/echo/10.0.0.7:8888";
    Cli register =
        Cli.start(
            "register",
            "echo",
            "10.0.0.7:8888",
            "--lease-ttl",
            "3s",
            "--for",
            "3s",
            "--dial-timeout",
            "1s",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);
    await().atMost(Duration.ofSeconds(10)).until(() -> !keys.get(key).isEmpty());

    etcd.member(0).freeze();
    Cli.Result result;
    try {
      result = register.result().get(20, TimeUnit.SECONDS);
    } finally {
      etcd.member(0).thaw();
    }

    assertThat(result.exitCode()).isEqualTo(RegistryEtcdCommand.EXIT_ETCD);
    assertThat(result.err())
        .contains("could not remove " + key)
        .contains("expire with lease")
        .contains("within 3s");
    assertThat(result.out()).doesNotContain("deregistered");
    await().atMost(Duration.ofSeconds(10)).until(() -> keys.get(key).isEmpty());
  }

  @Test
  void registerWritesIpv6AndUnixAddressesAsGoDoes() {
    Cli.Result ipv6 =
        Cli.run(
            "register",
            "echo",
            "[::1]:8888",
            "--for",
            "10ms",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);
    Cli.Result unix =
        Cli.run(
            "register",
            "echo",
            "unix:/tmp/echo.sock",
            "--for",
            "10ms",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);

    assertThat(ipv6.exitCode()).isZero();
    assertThat(ipv6.out()).startsWith("registered " + prefix + "/echo/[::1]:8888 (lease ");
    assertThat(unix.exitCode()).isZero();
    assertThat(unix.out()).startsWith("registered " + prefix + "/echo//tmp/echo.sock (lease ");
  }

  @Test
  void registerRefusesAnAddressWithoutPortAsBadUsage() {
    Cli.Result result =
        Cli.run("register", "echo", "10.0.0.7", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("'10.0.0.7' is not an address: give host:port")
        .contains("Usage:");
  }

  @Test
  void registerRefusesALeaseTtlThatIsNotWholeSeconds() {
    Cli.Result result =
        Cli.run(
            "register",
            "echo",
            "10.0.0.7:1",
            "--lease-ttl",
            "1500ms",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("--lease-ttl must be a whole number of seconds >= 1s, e.g. 10s, not 1.5s");
  }

  /** {@code register echo ADDRESS OPTIONS} on the extension's etcd, under this test's prefix. */
  private Cli startRegister(String address, String... options) {
    List<String> args = new ArrayList<>(List.of("register", "echo", address));
    args.addAll(List.of(options));
    args.addAll(List.of("--endpoints", endpoints(), "--prefix", prefix));
    return Cli.start(args.toArray(String[]::new));
  }

  private static String endpoints() {
    return String.join(",", etcd.clientEndpointsAsHostPort());
  }
}
