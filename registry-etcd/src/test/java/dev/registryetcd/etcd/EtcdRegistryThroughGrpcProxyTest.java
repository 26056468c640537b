package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdGrpcProxy;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A registry whose only endpoint is a real {@code etcd grpc-proxy}: its keep-alives go through the
 * proxy, which ends a renewal it forwards when the client's side of the call ends first, and
 * answers one when its own keep-alive of that lease is answered.
 */
class EtcdRegistryThroughGrpcProxyTest {
  private static final Duration TTL = Duration.ofSeconds(2);

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private final EtcdFixture fixture = new EtcdFixture(etcd);

  @Test
  void theLeaseStaysAliveThroughTheProxyForManyRenewals() throws Exception {
    String service = EtcdFixture.uniqueService();
    Info info =
        Info.builder()
            .serviceName(service)
            .address(new InetSocketAddress("127.0.0.1", 8080))
            .build();
    try (EtcdGrpcProxy proxy = EtcdGrpcProxy.start(etcd.cluster());
        EtcdRegistry registry =
            EtcdRegistry.newEtcdRegistry(
                List.of(proxy.clientHostPort()), Option.withLeaseTtl(TTL))) {
      registry.register(info);
      long lease = registry.status().leaseId();
      String key = registry.keyOf(info);

      // about 15 renewals (one per TTL/3), each through the proxy; the proxy answers each when its
      // own keep-alive of the lease is answered, up to TTL/3 later, so some count as late
      await()
          .during(TTL.multipliedBy(5))
          .atMost(TTL.multipliedBy(7))
          .untilAsserted(
              () -> {
                RegistryStatus status = registry.status();
                assertThat(status.leaseRecoveries()).as("leases given up").isZero();
                assertThat(status.leaseId()).isEqualTo(lease);
              });
      fixture.awaitInEtcd(
          Duration.ofSeconds(5),
          probe ->
              assertThat(probe.kv(key).getLease()).as("the key, read from etcd").isEqualTo(lease));
      assertThat(proxy.isRunning()).isTrue();
    }
  }
}
