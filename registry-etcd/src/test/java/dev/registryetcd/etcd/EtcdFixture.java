package dev.registryetcd.etcd;

import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.util.UUID;

/**
 * What the real-etcd tests of this package build the same way on the etcd of their {@link
 * EtcdExtension}: registries and resolvers on its client endpoints as Go clients write them ({@code
 * 127.0.0.1:PORT}), a probe through a client of its own, and service names no other test uses. Each
 * test still opens and closes what it uses, in try-with-resources.
 */
final class EtcdFixture {
  private final EtcdExtension etcd;

  EtcdFixture(EtcdExtension etcd) {
    this.etcd = etcd;
  }

  /** A service name no other test uses: {@code svc-} and 8 random hex digits. */
  static String uniqueService() {
    return "svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {@link EtcdRegistry#newEtcdRegistry} on the extension's etcd. */
  EtcdRegistry registry(Option... options) {
    return EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort(), options);
  }

  /** {@link EtcdRegistry#newEtcdRegistryWithRetry} on the extension's etcd. */
  EtcdRegistry registry(RetryConfig retry, Option... options) {
    return EtcdRegistry.newEtcdRegistryWithRetry(etcd.clientEndpointsAsHostPort(), retry, options);
  }

  /** {@link EtcdResolver#newEtcdResolver} on the extension's etcd. */
  EtcdResolver resolver(Option... options) {
    return EtcdResolver.newEtcdResolver(etcd.clientEndpointsAsHostPort(), options);
  }

  /** A probe of the extension's etcd, through a jetcd client of its own. */
  EtcdProbe probe() {
    return new EtcdProbe(etcd.clientEndpoints());
  }
}
