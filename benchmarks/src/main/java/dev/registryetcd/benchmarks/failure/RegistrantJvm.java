package dev.registryetcd.benchmarks.failure;

import dev.registryetcd.benchmarks.process.ParentLink;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The registered JVM of {@link FailureScenario}. Commands: {@code REGISTER <ttlSeconds> <port>}
 * makes a registry with that lease TTL, registers {@code 127.0.0.1:<port>} and answers {@code
 * REGISTERED <port>}; {@code CLOSE} closes the registry (graceful: revokes its lease) and answers
 * {@code CLOSED <System.nanoTime() just before close()>}. The scenario may also kill it.
 *
 * <p>Arguments: endpoint, prefix, service.
 */
public final class RegistrantJvm {
  private RegistrantJvm() {}

  public static void main(String[] args) throws IOException {
    List<String> endpoints = List.of(args[0]);
    String prefix = args[1];
    String service = args[2];
    EtcdRegistry[] registry = new EtcdRegistry[1];
    ParentLink parent = new ParentLink();
    parent.on(
        "REGISTER",
        words -> {
          registry[0] =
              EtcdRegistry.newEtcdRegistry(
                  endpoints,
                  Option.withEtcdServicePrefix(prefix),
                  Option.withLeaseTtl(Duration.ofSeconds(Long.parseLong(words[1]))));
          registry[0].register(
              Info.builder()
                  .serviceName(service)
                  .address(new InetSocketAddress("127.0.0.1", Integer.parseInt(words[2])))
                  .build());
          parent.send("REGISTERED " + words[2]);
        });
    parent.on(
        "CLOSE",
        words -> {
          long start = System.nanoTime();
          registry[0].close();
          registry[0] = null;
          parent.send("CLOSED " + start);
        });
    parent.serve();
    if (registry[0] != null) {
      registry[0].close();
    }
    System.exit(0);
  }
}
