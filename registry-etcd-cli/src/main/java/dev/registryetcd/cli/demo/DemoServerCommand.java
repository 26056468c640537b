package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.cli.RegistryEtcdCommand;
import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.grpc.GrpcRegistration;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd demo-server NAME WEIGHT}: one Echo server of the demo in a process of its
 * own, so that the demo can kill it for real (SIGKILL) and show its key go with its lease. Hidden:
 * the demo starts it ({@link ChildServer}), nobody else.
 *
 * <p>It serves {@code Echo.service(NAME)} on 127.0.0.1 and a free port, registers it with {@link
 * GrpcRegistration} through an {@link EtcdRegistry} of its own (lease TTL {@code --lease-ttl}),
 * prints one line {@value #READY} {@code host:port lease=<hex>} on stdout, and serves until its
 * standard input ends (the demo closed it, or died) or SIGTERM; then it deregisters and stops. So
 * it never outlives the demo, even one killed itself.
 */
@Command(
    name = "demo-server",
    hidden = true,
    description = "Runs one Echo server of 'registry-etcd demo' until its standard input ends.")
public final class DemoServerCommand implements Callable<Integer> {
  /** The start of the line printed once the server is registered. */
  static final String READY = "demo-server ready:";

  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "The server's name, in its replies.")
  String name;

  @Parameters(index = "1", paramLabel = "WEIGHT", description = "The registered weight.")
  int weight;

  @CommandLine.Option(
      names = "--service",
      paramLabel = "SERVICE",
      defaultValue = "echo",
      description = "The service to register (default: ${DEFAULT-VALUE}).")
  String service;

  @CommandLine.Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      defaultValue = "3s",
      converter = DurationText.Converter.class,
      description = "The registry's lease TTL (default: ${DEFAULT-VALUE}).")
  Duration leaseTtl;

  @Override
  public Integer call() throws IOException {
    EtcdTarget target = root.target();
    PrintWriter out = spec.commandLine().getOut();
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(Echo.service(name))
            .build();
    // KITEX_* variables must not move the address: the demo's client connects to what is
    // registered.
    EtcdRegistry registry =
        target.registry().options(Option.withLeaseTtl(leaseTtl)).environment(n -> null).build();
    try {
      server.start();
      GrpcRegistration registration =
          GrpcRegistration.builder(server, registry)
              .serviceName(service)
              .weight(weight)
              .tag("server", name)
              .shutdownTimeout(Duration.ofSeconds(5))
              .register();
      Thread onSigterm =
          new Thread(
              () -> {
                registration.close();
                registry.close();
              },
              "demo-server-shutdown");
      Runtime.getRuntime().addShutdownHook(onSigterm);
      InetSocketAddress address = (InetSocketAddress) server.getListenSockets().get(0);
      out.println(
          READY
              + " "
              + address.getHostString()
              + ":"
              + address.getPort()
              + " lease="
              + Long.toHexString(registry.leaseId()));
      out.flush();
      awaitEndOf(System.in);
      registration.close();
      try {
        Runtime.getRuntime().removeShutdownHook(onSigterm);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs: closing twice is harmless
      }
    } finally {
      server.shutdownNow();
      registry.close();
    }
    return RegistryEtcdCommand.EXIT_OK;
  }

  private static void awaitEndOf(InputStream in) throws IOException {
    byte[] ignored = new byte[256];
    while (in.read(ignored) >= 0) {
      // the demo writes nothing; only the end matters
    }
  }
}
