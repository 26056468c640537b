package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.TestCertificates;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractStringAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The read commands against an etcd that requires client certificates, through the command's real
 * process: each TLS mistake is named with the option that fixes it, jetcd's retry warnings stay out
 * of stderr, and a PKCS#1 key works.
 */
class TlsFailureTest {
  private static final TestCertificates certs = TestCertificates.create();

  @RegisterExtension
  static final EtcdExtension etcd =
      EtcdExtension.of(EtcdCluster.builder().name("cli-mtls").tls(certs.mutual()));

  private static final Duration BOUND = Duration.ofSeconds(60);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"list", "get echo", "watch", "watch echo", "watch echo --for 1s"})
  void anUntrustedServerCertificateIsNamedWithCacert(String command) {
    CliProcess.Result result =
        run(command, certs.foreignCaFile(), certs.clientCertFile(), certs.clientKeyFile());

    assertRefusedByEtcd(result)
        .contains("the server's certificate is not trusted by --cacert")
        .contains("check that --cacert holds the CA that signed etcd's certificate")
        .doesNotContain("cannot reach")
        .doesNotContain("withTLSOpt")
        .doesNotContain("caFile");
    assertNoLibraryWordsNorJetcdWarnings(result);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"list", "get echo", "watch", "watch echo"})
  void aRefusedClientCertificateIsNamedWithCertAndKey(String command) {
    CliProcess.Result result =
        run(command, certs.caFile(), certs.foreignClientCertFile(), certs.foreignClientKeyFile());

    assertRefusedByEtcd(result)
        .contains("etcd rejected this client's certificate")
        .contains("check --cert and --key")
        .doesNotContain("cannot reach");
    assertNoLibraryWordsNorJetcdWarnings(result);
  }

  @Test
  void aPlaintextClientIsToldThatEtcdSpeaksTls() {
    String hostPort = etcd.clientEndpointsAsHostPort().get(0);

    CliProcess.Result result =
        CliProcess.run(BOUND, "list", "--endpoints", hostPort, "--dial-timeout", "2s");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.errText())
        .contains("cannot reach etcd at " + hostPort + " within 2s")
        .contains(hostPort + " speaks TLS, and this client plaintext: give --cacert")
        .doesNotContain("WARN");
  }

  @Test
  void aPkcs1RsaKeyIsAccepted() throws Exception {
    assertThat(Files.readString(certs.rsaClientKeyPkcs1File()))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");

    CliProcess.Result result =
        run("list", certs.caFile(), certs.rsaClientCertFile(), certs.rsaClientKeyPkcs1File());

    assertThat(result.exitCode()).as(result.errText()).isZero();
    assertThat(result.outText()).startsWith("no service is registered under");
  }

  @Test
  void aCertificateWithoutKeyIsBadUsageInTheCommandsWords() {
    CliProcess.Result result =
        run(
            "list",
            "--cacert",
            certs.caFile().toString(),
            "--cert",
            certs.clientCertFile().toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.errText())
        .startsWith("--cert " + certs.clientCertFile() + " needs --key")
        .doesNotContain("null")
        .doesNotContain("certFile");
  }

  /** Exit code 1 and a last line naming etcd's https endpoint, as every refusal by etcd starts. */
  private static AbstractStringAssert<?> assertRefusedByEtcd(CliProcess.Result result) {
    assertThat(result.exitCode()).isEqualTo(1);
    return assertThat(lastLine(result)).startsWith("registry-etcd: etcd at https://127.0.0.1:");
  }

  /** The command's own message comes last; the resolver may have logged the failure before. */
  private static String lastLine(CliProcess.Result result) {
    List<String> lines = result.errText().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  private static void assertNoLibraryWordsNorJetcdWarnings(CliProcess.Result result) {
    assertThat(result.errText())
        .doesNotContain("withTLSOpt")
        .doesNotContain("caFile")
        .doesNotContain("certFile")
        .doesNotContain("KVImpl")
        .doesNotContain("retries");
    assertThat(result.errText().lines()).hasSizeBetween(1, 2);
  }

  private static CliProcess.Result run(String command, Path cacert, Path cert, Path key) {
    return run(
        command, "--cacert", cacert.toString(), "--cert", cert.toString(), "--key", key.toString());
  }

  private static CliProcess.Result run(String command, String... options) {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.addAll(List.of(options));
    args.addAll(List.of("--endpoints", etcd.clientEndpoints().get(0)));
    return CliProcess.run(BOUND, args.toArray(new String[0]));
  }
}
