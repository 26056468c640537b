package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PasswordTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final String PASSWORD = "Zq7-secret-pw";
  private static final String WRONG = "Wr0ng-secret-pw";

  @BeforeAll
  static void enableAuthentication() throws Exception {
    try (Client admin = EtcdClients.newClient(etcd.clientEndpointsAsHostPort())) {
      Auth auth = admin.getAuthClient();
      ByteSequence root = bytes("root");
      auth.userAdd(root, bytes(PASSWORD)).get(5, TimeUnit.SECONDS);
      auth.roleAdd(root).get(5, TimeUnit.SECONDS);
      auth.userGrantRole(root, root).get(5, TimeUnit.SECONDS);
      auth.authEnable().get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void theRightPasswordWorksAndIsPrintedNowhere() {
    Cli.Result result =
        Cli.run("list", "-v", "--user", "root", "--password", PASSWORD, "--endpoints", endpoints());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("no service is registered under kitex/registry-etcd/");
    assertThat(result.all()).doesNotContain(PASSWORD);
  }

  @Test
  void aWrongPasswordExitsWith1AndIsPrintedNowhereEvenVerbose() {
    Cli.Result result =
        Cli.run(
            "get",
            "echo",
            "--verbose",
            "--user",
            "root",
            "--password",
            WRONG,
            "--endpoints",
            endpoints());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith(
            "registry-etcd: etcd at "
                + endpoints()
                + " refused the credentials of user root: check --user and --password (or ETCD_PASSWORD)");
    assertThat(result.err()).as("verbose shows the stack trace").contains("\tat ");
    assertThat(result.all()).doesNotContain(WRONG).doesNotContain(PASSWORD);
  }

  @Test
  void registerWithAPasswordPrintsItNowhere() {
    Cli.Result result =
        Cli.run(
            "register",
            "echo",
            "10.0.0.7:8888",
            "--for",
            "10ms",
            "-v",
            "--user",
            "root",
            "--password",
            PASSWORD,
            "--endpoints",
            endpoints());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).startsWith("registered kitex/registry-etcd/echo/10.0.0.7:8888");
    assertThat(result.all()).doesNotContain(PASSWORD);
  }

  @Test
  void thePasswordComesFromEtcdPasswordWhenNotGiven() {
    Cli.Result result =
        Cli.runWithEnv(
            Map.of("ETCD_PASSWORD", PASSWORD),
            "list",
            "--user",
            "root",
            "--endpoints",
            endpoints());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.all()).doesNotContain(PASSWORD);
  }

  @Test
  void aPasswordWithoutUserIsBadUsageAndNotEchoed() {
    Cli.Result result = Cli.run("list", "--password", PASSWORD, "--endpoints", endpoints());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--password needs --user");
    assertThat(result.all()).doesNotContain(PASSWORD);
  }

  @Test
  void noCredentialsOnAnEtcdWithAuthenticationSaysWhatToGive() {
    Cli.Result result = Cli.run("list", "--endpoints", endpoints());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("requires a user: give --user and --password");
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private static String endpoints() {
    return String.join(",", etcd.clientEndpointsAsHostPort());
  }
}
