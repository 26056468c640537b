package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FailureTest {

  @Test
  void anUnknownFlagIsBadUsageWithTheUsageMessage() {
    Cli.Result result = Cli.run("list", "--bogus");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("Unknown option: '--bogus'")
        .contains("Usage: registry-etcd list");
    assertThat(result.out()).isEmpty();
  }

  @Test
  void noCommandIsBadUsage() {
    Cli.Result result = Cli.run();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing command").contains("Commands:");
  }

  @Test
  void aBadDurationIsBadUsageNamingIt() {
    Cli.Result result = Cli.run("--dial-timeout", "5x", "list");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("'5x' is not a duration");
  }

  @Test
  void aServiceNameWithASlashIsBadUsage() {
    Cli.Result result = Cli.run("get", "a/b");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("must not contain '/'");
  }

  @ParameterizedTest(name = "{0} against a closed port exits with 1 naming the endpoint")
  @ValueSource(strings = {"list", "get echo", "watch", "watch echo", "register echo 10.0.0.7:8888"})
  void anUnreachableEtcdExitsWith1QuicklyNamingTheEndpoint(String command) throws IOException {
    String endpoint = "127.0.0.1:" + closedPort();
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.addAll(List.of("--endpoints", endpoint, "--dial-timeout", "500ms"));
    long start = System.nanoTime();

    Cli.Result result = Cli.run(args.toArray(new String[0]));

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "registry-etcd: cannot reach etcd at "
                + endpoint
                + " within 500ms: is it running?"
                + System.lineSeparator());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
  }

  @Test
  void endpointsComeFromEtcdEndpointsWhenNotGiven() throws IOException {
    String endpoint = "127.0.0.1:" + closedPort();

    Cli.Result result =
        Cli.runWithEnv(
            java.util.Map.of("ETCD_ENDPOINTS", endpoint), "list", "--dial-timeout", "300ms");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("cannot reach etcd at " + endpoint + " within 300ms");
  }

  /** A loopback port nobody listens on: bound, then released. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
