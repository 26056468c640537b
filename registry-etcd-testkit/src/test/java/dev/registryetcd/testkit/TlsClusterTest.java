package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clusters serving clients over TLS: probed through the plain-HTTP metrics URL, refusing plaintext
 * clients.
 */
class TlsClusterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @TempDir static Path dir;

  private static SelfSignedCertificate certificate;

  @BeforeAll
  static void makeACertificateFor127001() throws Exception {
    certificate = SelfSignedCertificate.create(dir);
  }

  @Test
  void aTlsSingleServerIsHealthyAndAnswersHttpsButNotPlainHttp() throws Exception {
    EtcdTls tls = EtcdTls.serverOnly(certificate.certFile(), certificate.keyFile());
    try (EtcdCluster etcd = EtcdCluster.builder().tls(tls).start()) {
      EtcdMember member = etcd.member(0);
      assertThat(etcd.tls()).contains(tls);
      assertThat(etcd.clientEndpoints())
          .containsExactly("https://127.0.0.1:" + member.clientPort());
      assertThat(etcd.clientEndpointsAsHostPort())
          .containsExactly("127.0.0.1:" + member.clientPort());
      assertThat(member.metricsUrl())
          .matches("http://127\\.0\\.0\\.1:\\d+")
          .isNotEqualTo("http://" + member.clientHostPort())
          .isNotEqualTo(member.peerUrl());
      assertThat(member.isHealthy()).isTrue();
      assertThat(etcd.leader()).isSameAs(member);

      HttpResponse<String> https =
          get(certificate.trustingContext(), member.clientEndpoint() + "/health");
      assertThat(https.statusCode()).isEqualTo(200);
      assertThat(Json.get(Json.parse(https.body()), "health")).isEqualTo("true");

      String plain = "http://" + member.clientHostPort() + "/health";
      assertThatThrownBy(() -> Gateway.get(plain, TIMEOUT)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aMutualTlsClusterIsProbedWithoutClientCertificatesAndFindsItsLeader() throws Exception {
    // The self-signed certificate is its own CA, so etcd accepts it as a client certificate too.
    EtcdTls tls =
        EtcdTls.mutual(certificate.certFile(), certificate.keyFile(), certificate.certFile());
    try (EtcdCluster etcd = EtcdCluster.builder().members(3).tls(tls).start()) {
      etcd.awaitHealthy(Duration.ofSeconds(10));
      EtcdMember leader = etcd.leader();
      assertThat(etcd.followers()).hasSize(2).doesNotContain(leader);

      String health = etcd.member(0).clientEndpoint() + "/health";
      assertThatThrownBy(() -> get(certificate.trustingContext(), health))
          .as("an https request without a client certificate")
          .isInstanceOf(IOException.class);
      assertThatThrownBy(() -> etcd.member(1).wipe())
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("TLS");
      assertThat(etcd.member(1).isRunning()).isTrue();
    }
  }

  @Test
  void withNetworkFaultsTlsPassesThroughTheClientProxyAndItsFaultsApply() throws Exception {
    EtcdTls tls = EtcdTls.serverOnly(certificate.certFile(), certificate.keyFile());
    try (EtcdCluster etcd = EtcdCluster.builder().tls(tls).networkFaults().start()) {
      EtcdMember member = etcd.member(0);
      assertThat(etcd.clientEndpoints())
          .containsExactly("https://" + member.clientProxy().hostPort())
          .doesNotContain(member.directClientEndpoint());
      String health = member.clientEndpoint() + "/health";
      assertThat(get(certificate.trustingContext(), health).body()).contains("true");

      member.clientProxy().blackhole();
      assertThatThrownBy(() -> get(certificate.trustingContext(), health))
          .isInstanceOf(IOException.class);
      assertThat(member.isHealthy())
          .as("probed on the metrics URL, not through the proxy")
          .isTrue();
    }
  }

  @Test
  void tlsFilesAreCheckedAtStartAndTrustedCaGoesWithClientCertAuth() throws Exception {
    Path missing = dir.resolve("missing-key.pem");
    EtcdCluster etcd =
        EtcdCluster.builder().tls(EtcdTls.serverOnly(certificate.certFile(), missing)).build();
    try {
      assertThatThrownBy(etcd::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("keyFile " + missing);
    } finally {
      etcd.close();
    }
    assertThatThrownBy(
            () ->
                new EtcdTls(
                    certificate.certFile(), certificate.keyFile(), certificate.certFile(), false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("EtcdTls.mutual");
    assertThatThrownBy(() -> new EtcdTls(certificate.certFile(), certificate.keyFile(), null, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustedCaFile");
  }

  private static HttpResponse<String> get(SSLContext ssl, String url)
      throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .proxy(HttpClient.Builder.NO_PROXY)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();
    return client.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
