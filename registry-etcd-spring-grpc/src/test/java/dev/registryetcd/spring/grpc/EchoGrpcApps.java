package dev.registryetcd.spring.grpc;

import dev.registryetcd.demo.echo.Echo;
import io.grpc.BindableService;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * The applications of the tests: a Spring gRPC server serving {@link Echo} (answering {@code "NAME:
 * message"}) with a web server beside it, and a client without either.
 */
final class EchoGrpcApps {
  private EchoGrpcApps() {}

  /** A Spring gRPC server application: {@code echo.name} names it in every answer. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Server {
    @Bean
    BindableService echo(Environment environment) {
      String name = environment.getRequiredProperty("echo.name");
      return () -> Echo.service(name);
    }
  }

  /** A Spring gRPC client application: no gRPC server, no web server, discovery only. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class Client {}

  /**
   * Starts a server named {@code name} with a web server and a gRPC server on random loopback
   * ports, registering as {@code echo} in the etcd at {@code endpoints}.
   */
  static ConfigurableApplicationContext server(
      String name, List<String> endpoints, List<Class<?>> sources, String... properties) {
    List<Class<?>> all = new ArrayList<>(List.of(Server.class));
    all.addAll(sources);
    return run(
        all,
        endpoints,
        List.of(
            "echo.name=" + name,
            "spring.application.name=echo",
            "server.port=0",
            "server.address=127.0.0.1",
            "spring.grpc.server.host=127.0.0.1",
            "spring.grpc.server.port=0",
            "spring.grpc.server.shutdown-grace-period=5s",
            "registry.etcd.instance.host=127.0.0.1",
            "registry.etcd.lease-ttl=10s"),
        properties);
  }

  /** Starts a client whose channel {@code echo} is {@code etcd:///echo}. */
  static ConfigurableApplicationContext client(List<String> endpoints, String... properties) {
    return run(
        List.of(Client.class),
        endpoints,
        List.of(
            "spring.application.name=echo-client",
            "spring.main.web-application-type=none",
            "spring.grpc.server.enabled=false",
            "registry.etcd.registration.enabled=false",
            "spring.grpc.client.channels.echo.address=etcd:///echo"),
        properties);
  }

  /**
   * Runs {@code sources} on the etcd at {@code endpoints}, without a banner, with the {@code
   * defaults} and then the test's {@code properties} (which win).
   */
  private static ConfigurableApplicationContext run(
      List<Class<?>> sources, List<String> endpoints, List<String> defaults, String... properties) {
    List<String> props =
        new ArrayList<>(
            List.of(
                "spring.main.banner-mode=off",
                "registry.etcd.endpoints=" + String.join(",", endpoints)));
    props.addAll(defaults);
    props.addAll(List.of(properties));
    return new SpringApplicationBuilder(sources.toArray(Class<?>[]::new))
        .properties(props.toArray(String[]::new))
        .run();
  }

  /** The port the application's gRPC server listens on. */
  static int grpcPort(ConfigurableApplicationContext server) {
    return server.getBean(GrpcServerLifecycle.class).getPort();
  }
}
