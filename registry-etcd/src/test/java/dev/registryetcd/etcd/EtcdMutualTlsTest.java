package dev.registryetcd.etcd;

import static dev.registryetcd.etcd.EtcdTlsTest.info;
import static dev.registryetcd.etcd.EtcdTlsTest.uniqueService;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.TestCertificates;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd requiring client certificates signed by its CA ({@code --client-cert-auth
 * --trusted-ca-file}).
 */
class EtcdMutualTlsTest {
  private static final Duration FAILURE_BOUND = Duration.ofSeconds(3);
  private static final TestCertificates certs = TestCertificates.create();

  @RegisterExtension
  static final EtcdExtension etcd =
      EtcdExtension.of(EtcdCluster.builder().name("mtls").tls(certs.mutual()));

  @AfterAll
  static void deleteCertificates() {
    certs.close();
  }

  @Test
  void aClientWithACertificateFromTheCaRegistersAndResolves() {
    String service = uniqueService();
    Option tls =
        Option.withTLSOpt(
            certs.clientCertFile().toString(),
            certs.clientKeyFile().toString(),
            certs.caFile().toString());
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpoints(), tls);
        EtcdResolver resolver =
            EtcdResolver.newEtcdResolver(etcd.clientEndpointsAsHostPort(), tls)) {
      registry.register(info(service, 8888));

      assertThat(resolver.resolve(service).instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:8888");
    }
  }

  @Test
  void aClientWithoutACertificateFailsRegisterSayingEtcdRejectedIt() {
    try (EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(
            etcd.clientEndpoints(),
            Option.withTLSOpt(null, null, certs.caFile().toString()),
            Option.withDialTimeoutOpt(FAILURE_BOUND))) {
      assertThatThrownBy(() -> registry.register(info(uniqueService(), 1)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("TLS handshake with etcd failed")
          .hasMessageContaining("etcd rejected this client's certificate or its absence")
          .hasMessageContaining("check withTLSOpt's certFile and keyFile");
    }
  }

  @Test
  void aClientCertificateFromAForeignCaFailsRegisterSayingEtcdRejectedIt() {
    try (EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(
            etcd.clientEndpoints(),
            Option.withTLSOpt(
                certs.foreignClientCertFile().toString(),
                certs.foreignClientKeyFile().toString(),
                certs.caFile().toString()),
            Option.withDialTimeoutOpt(FAILURE_BOUND))) {
      assertThatThrownBy(() -> registry.register(info(uniqueService(), 1)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("TLS handshake with etcd failed")
          .hasMessageContaining("etcd rejected this client's certificate or its absence");
    }
  }
}
