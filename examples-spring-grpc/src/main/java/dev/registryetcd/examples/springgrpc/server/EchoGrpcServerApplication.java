package dev.registryetcd.examples.springgrpc.server;

import dev.registryetcd.demo.echo.Echo;
import io.grpc.BindableService;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * A Spring gRPC server that registers its gRPC port in etcd as {@code echo}, as a Kitex server
 * would: registry-etcd-spring-grpc does it, from {@code echo-grpc-server.properties}. It serves the
 * demo's {@link Echo} service, answering {@code "NAME: message"} ({@code example.name}, by default
 * {@code pid-<process id>}).
 *
 * <pre>
 * java -cp ... dev.registryetcd.examples.springgrpc.server.EchoGrpcServerApplication --example.name=a
 * </pre>
 */
@SpringBootApplication
public class EchoGrpcServerApplication {

  /** The Echo service; Spring gRPC serves every {@link BindableService} bean. */
  @Bean
  BindableService echo(Environment environment) {
    String name = environment.getProperty("example.name", "pid-" + ProcessHandle.current().pid());
    return () -> Echo.service(name);
  }

  /** The application, reading {@code echo-grpc-server.properties}. */
  public static SpringApplication application() {
    return new SpringApplicationBuilder(EchoGrpcServerApplication.class)
        .properties("spring.config.name=echo-grpc-server")
        .build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
