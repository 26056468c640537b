package dev.registryetcd.etcd;

import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What the real-etcd tests of this package build the same way on the etcd of their {@link
 * EtcdExtension}: registries and resolvers on its client endpoints as Go clients write them ({@code
 * 127.0.0.1:PORT}), a probe through a client of its own, and service names no other test uses. Each
 * test still opens and closes what it uses, in try-with-resources.
 *
 * <p>Registered as an extension too ({@code @RegisterExtension static final EtcdFixture}), it keeps
 * one probe for the whole class ({@link #sharedProbe()}), closed after its last test.
 */
final class EtcdFixture implements BeforeAllCallback, AfterAllCallback {
  private final EtcdExtension etcd;
  private boolean registered;
  private EtcdProbe shared;

  EtcdFixture(EtcdExtension etcd) {
    this.etcd = etcd;
  }

  /** A service name no other test uses: {@code svc-} and 8 random hex digits. */
  static String uniqueService() {
    return "svc-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** {@code echo} at {@code 127.0.0.1:port}, weight and tags left to their defaults. */
  static Info echoAt(int port) {
    return Info.builder()
        .serviceName("echo")
        .address(new InetSocketAddress("127.0.0.1", port))
        .build();
  }

  /** The names of the registry threads ({@code registry-etcd-registry-N}) alive now. */
  static Set<String> registryThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> name.startsWith("registry-etcd-registry-"))
        .collect(Collectors.toSet());
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

  /**
   * Waits at most {@code atMost} until {@code assertions} pass on what a probe of its own reads
   * from etcd.
   */
  void awaitInEtcd(Duration atMost, Consumer<EtcdProbe> assertions) {
    try (EtcdProbe probe = probe()) {
      await().atMost(atMost).untilAsserted(() -> assertions.accept(probe));
    }
  }

  /** The class's probe, opened at first use and closed after the class's last test. */
  EtcdProbe sharedProbe() {
    if (!registered) {
      throw new IllegalStateException(
          "sharedProbe() needs the fixture registered: @RegisterExtension static final EtcdFixture");
    }
    if (shared == null) {
      shared = probe();
    }
    return shared;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    registered = true;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (shared != null) {
      shared.close();
      shared = null;
    }
  }
}
