package dev.registryetcd.examples;

import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.grpc.GrpcRegistration;
import dev.registryetcd.registry.Info;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Go extension's server example ("How To Use / Server"), in Java: a gRPC server with {@link
 * Echo}, registered in etcd as service {@value #SERVICE} with {@code newEtcdRegistry}, until
 * Ctrl-C.
 *
 * <p>Usage: {@code SimpleServer [etcd endpoints] [port | host:port]}; endpoints default to {@code
 * $ETCD_ENDPOINTS}, else {@code 127.0.0.1:2379}; the listen address to 127.0.0.1:8888.
 */
public final class SimpleServer {
  /** The service name of the Go examples. */
  public static final String SERVICE = "Hello";

  private static final Logger log = LoggerFactory.getLogger(SimpleServer.class);

  private SimpleServer() {}

  public static void main(String[] args) throws Exception {
    List<String> endpoints = Args.endpoints(args, System::getenv);
    InetSocketAddress listen = Args.listenAddress(args, 8888);
    RunningServer server =
        start(endpoints, listen, "SimpleServer on " + listen.getPort()).closeOnExit("SimpleServer");
    log.info(
        "Echo listening on {}, registered as {} in etcd {}; Ctrl-C to stop",
        server.hostPort(),
        SERVICE,
        endpoints);
    server.awaitClosed();
  }

  /**
   * Starts Echo, answering as {@code name}, on {@code listen} and registers it as {@value #SERVICE}
   * in the etcd at {@code endpoints}.
   *
   * @throws IOException when the server cannot listen there
   * @throws dev.registryetcd.registry.RegistryException when etcd does not take the registration;
   *     the server is stopped again
   */
  public static RunningServer start(List<String> endpoints, InetSocketAddress listen, String name)
      throws IOException {
    return serve(EtcdRegistry.newEtcdRegistry(endpoints), listen, name);
  }

  /**
   * Starts Echo on {@code listen} and registers it in {@code registry}, which it closes on failure
   * or close.
   */
  static RunningServer serve(EtcdRegistry registry, InetSocketAddress listen, String name)
      throws IOException {
    Server server =
        NettyServerBuilder.forAddress(listen, InsecureServerCredentials.create())
            .addService(Echo.service(name))
            .build();
    try {
      server.start();
      return new RunningServer(
          registry,
          GrpcRegistration.register(server, registry, SERVICE, Info.DEFAULT_WEIGHT, null));
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      registry.close();
      throw e;
    }
  }
}
