package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.testkit.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS files that cannot serve are refused when the registry or resolver is made, naming the file:
 * no etcd needed, nothing is dialled.
 */
class TlsOptionFilesTest {
  private static final List<String> ENDPOINTS = List.of("127.0.0.1:2379");
  private static final TestCertificates certs = TestCertificates.create();

  @TempDir Path dir;

  @AfterAll
  static void deleteCertificates() {
    certs.close();
  }

  /**
   * An unreadable file, made without chmod: the tests may run as root, whom {@code chmod 000} does
   * not stop from reading. A directory where a file should be cannot be read as one by anybody.
   */
  @Test
  void aDirectoryGivenAsCaFileIsRefusedNamingIt() {
    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(
                    ENDPOINTS, Option.withTLSOpt(null, null, dir.toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("caFile " + dir)
        .hasMessageContaining("not a file");
  }

  @Test
  void aMissingKeyFileIsRefusedNamingIt() {
    Path missing = dir.resolve("missing-key.pem");

    assertThatThrownBy(
            () ->
                EtcdResolver.newEtcdResolver(ENDPOINTS, clientTls(certs.clientCertFile(), missing)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyFile " + missing)
        .hasMessageContaining("does not exist");
  }

  @Test
  void aMalformedCertFileIsRefusedNamingIt() throws IOException {
    Path garbage =
        Files.writeString(
            dir.resolve("client.pem"),
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n" + "-----END CERTIFICATE-----\n");

    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(ENDPOINTS, clientTls(garbage, certs.clientKeyFile())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("certFile " + garbage)
        .hasMessageContaining("not a PEM certificate");
  }

  @Test
  void aCertificateGivenAsKeyFileIsRefusedNamingIt() {
    Path notAKey = certs.clientCertFile();

    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(ENDPOINTS, clientTls(certs.clientCertFile(), notAKey)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyFile " + notAKey)
        .hasMessageContaining("is not a PEM private key in PKCS#8");
  }

  @Test
  void aKeyThatDoesNotBelongToTheCertificateIsRefusedNamingBothFiles() {
    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(
                    ENDPOINTS, clientTls(certs.clientCertFile(), certs.foreignClientKeyFile())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keyFile " + certs.foreignClientKeyFile())
        .hasMessageContaining("is not the private key of certFile " + certs.clientCertFile());
  }

  @Test
  void aMatchingCertificateAndKeyAreAccepted() {
    // The key check must not refuse the key that belongs to the certificate.
    EtcdRegistry.newEtcdRegistry(
            ENDPOINTS, clientTls(certs.clientCertFile(), certs.clientKeyFile()))
        .close();
  }

  @Test
  void everyRefusalNamesTheSettingForToolsThatMapItToTheirOwnKeys() {
    assertThat(
            settingRefused(
                () ->
                    EtcdRegistry.newEtcdRegistry(
                        ENDPOINTS,
                        Option.withTLSOpt(null, null, dir.resolve("missing-ca.pem").toString()))))
        .isEqualTo("caFile");
    assertThat(
            settingRefused(
                () ->
                    EtcdRegistry.newEtcdRegistry(
                        ENDPOINTS,
                        Option.withTLSOpt(
                            dir.resolve("missing-cert.pem").toString(),
                            certs.clientKeyFile().toString(),
                            certs.caFile().toString()))))
        .isEqualTo("certFile");
    assertThat(
            settingRefused(
                () ->
                    EtcdRegistry.newEtcdRegistry(
                        ENDPOINTS, clientTls(certs.clientCertFile(), certs.clientCertFile()))))
        .isEqualTo("keyFile");
    assertThat(
            settingRefused(
                () -> Option.withTLSOpt(certs.clientCertFile().toString(), null, "ca.pem")))
        .isEqualTo("keyFile");
    assertThat(settingRefused(() -> Option.withTLSOpt(null, null, ""))).isEqualTo("caFile");
    assertThat(settingRefused(() -> EtcdResolver.newEtcdResolver(List.of("ftp://127.0.0.1:1"))))
        .isEqualTo("endpoints");
    assertThat(settingRefused(() -> EtcdClients.newClient(List.of()))).isEqualTo("endpoints");
  }

  private static String settingRefused(Runnable make) {
    try {
      make.run();
    } catch (InvalidSettingException e) {
      return e.setting();
    }
    throw new AssertionError("nothing was refused");
  }

  /** This certificate and key, trusting the test CA. */
  private static Option clientTls(Path certFile, Path keyFile) {
    return Option.withTLSOpt(certFile.toString(), keyFile.toString(), certs.caFile().toString());
  }
}
