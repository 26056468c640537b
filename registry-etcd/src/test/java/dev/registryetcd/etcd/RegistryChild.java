package dev.registryetcd.etcd;

import dev.registryetcd.registry.Info;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A registry in a process of its own, for tests that kill it: registers one instance, prints {@code
 * REGISTERED}, then waits to be killed.
 *
 * <p>Arguments: endpoint, service, port, lease TTL in seconds.
 */
public final class RegistryChild {
  private RegistryChild() {}

  public static void main(String[] args) throws InterruptedException {
    EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(
            List.of(args[0]), Option.withLeaseTtl(Duration.ofSeconds(Long.parseLong(args[3]))));
    registry.register(
        Info.builder()
            .serviceName(args[1])
            .address(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[2])))
            .build());
    System.out.println("REGISTERED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // the test kills this process
  }
}
