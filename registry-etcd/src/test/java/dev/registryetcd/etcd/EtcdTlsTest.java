package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.TestCertificates;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd serving clients over TLS with a server certificate only: the registry and resolver talk TLS
 * when given {@code withTLSOpt}, refuse a CA that did not sign etcd's certificate, and never fall
 * back to plaintext.
 */
class EtcdTlsTest {
  private static final Duration FAILURE_BOUND = Duration.ofSeconds(3);
  private static final TestCertificates certs = TestCertificates.create();

  @RegisterExtension
  static final EtcdExtension etcd =
      EtcdExtension.of(EtcdCluster.builder().name("tls").tls(certs.serverOnly()));

  @RegisterExtension
  static final EtcdExtension plaintextEtcd = EtcdExtension.of(EtcdCluster.builder().name("plain"));

  @AfterAll
  static void deleteCertificates() {
    certs.close();
  }

  @Test
  void registersAndResolvesOverHttpsEndpointsTrustingTheCa() {
    assertThat(etcd.clientEndpoints())
        .allMatch(endpoint -> endpoint.startsWith("https://127.0.0.1:"));

    assertRegistersAndResolves(
        etcd.clientEndpoints(), Option.withTLSOpt(null, null, certs.caFile().toString()));
  }

  @Test
  void registersAndResolvesOverHostPortEndpointsTrustingTheCa() {
    assertRegistersAndResolves(
        etcd.clientEndpointsAsHostPort(), Option.withTLSOpt(null, null, certs.caFile().toString()));
  }

  @Test
  void aClientCertificateIsAcceptedByAServerThatDoesNotAskForOne() {
    assertRegistersAndResolves(
        etcd.clientEndpointsAsHostPort(),
        Option.withTLSOpt(
            certs.clientCertFile().toString(),
            certs.clientKeyFile().toString(),
            certs.caFile().toString()));
  }

  @Test
  void aCaThatDidNotSignEtcdsCertificateFailsRegisterSayingTheCertificateIsNotTrusted() {
    try (EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(
            etcd.clientEndpoints(),
            Option.withTLSOpt(null, null, certs.foreignCaFile().toString()),
            Option.withDialTimeoutOpt(FAILURE_BOUND))) {
      assertThatThrownBy(() -> registry.register(info(uniqueService(), 1)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("TLS handshake with etcd failed")
          .hasMessageContaining("certificate is not trusted by caFile")
          .hasMessageContaining("check that withTLSOpt's caFile");
    }
  }

  @Test
  void aResolverTrustingAnotherCaFailsItsFirstReadSayingTheCertificateIsNotTrusted() {
    try (EtcdResolver resolver =
        EtcdResolver.newEtcdResolver(
            etcd.clientEndpoints(),
            Option.withTLSOpt(null, null, certs.foreignCaFile().toString()),
            Option.withDialTimeoutOpt(FAILURE_BOUND))) {
      assertThatThrownBy(() -> resolver.resolve(uniqueService()))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("certificate is not trusted by caFile");
    }
  }

  @Test
  void anHttpEndpointWithTlsOptionsIsRefusedAtConstruction() {
    String plain = "http://" + etcd.clientEndpointsAsHostPort().get(0);

    assertThatThrownBy(
            () ->
                EtcdRegistry.newEtcdRegistry(
                    List.of(plain), Option.withTLSOpt(null, null, certs.caFile().toString())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(plain)
        .hasMessageContaining("withTLSOpt");
  }

  @Test
  void tlsOptionsNeverFallBackToPlaintextWithAPlaintextEtcd() {
    String service = uniqueService();
    try (EtcdRegistry registry =
            EtcdRegistry.newEtcdRegistry(
                plaintextEtcd.clientEndpointsAsHostPort(),
                Option.withTLSOpt(null, null, certs.caFile().toString()),
                Option.withDialTimeoutOpt(FAILURE_BOUND));
        EtcdProbe probe = new EtcdProbe(plaintextEtcd.clientEndpoints())) {
      assertThatThrownBy(() -> registry.register(info(service, 1)))
          .isInstanceOf(RegistryException.class);

      assertThat(probe.leasesUnder("kitex/registry-etcd/" + service + "/")).isEmpty();
    }
  }

  @Test
  void aTlsRegistryAndResolverCarryOnAfterEtcdRestarts() {
    String before = uniqueService();
    String after = uniqueService();
    Option tls = Option.withTLSOpt(null, null, certs.caFile().toString());
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpoints(), tls);
        EtcdResolver resolver = EtcdResolver.newEtcdResolver(etcd.clientEndpoints(), tls)) {
      registry.register(info(before, 1));
      assertThat(resolver.resolve(before).instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");

      etcd.member(0).restart();

      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreException(RegistryException.class)
          .untilAsserted(() -> registry.register(info(after, 2)));
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () ->
                  assertThat(resolver.resolve(after).instances())
                      .extracting(Instance::address)
                      .containsExactly("127.0.0.1:2"));
      assertThat(resolver.resolve(before).instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:1");
    }
  }

  private static void assertRegistersAndResolves(List<String> endpoints, Option tls) {
    String service = uniqueService();
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(endpoints, tls);
        EtcdResolver resolver = EtcdResolver.newEtcdResolver(endpoints, tls)) {
      registry.register(info(service, 8888));

      assertThat(resolver.resolve(service).instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:8888");
    }
  }

  static Info info(String service, int port) {
    return Info.builder()
        .serviceName(service)
        .address(new InetSocketAddress("127.0.0.1", port))
        .build();
  }

  static String uniqueService() {
    return "svc-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
