package dev.registryetcd.examples.springgrpc.client;

import dev.registryetcd.demo.echo.Echo;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.grpc.client.GrpcChannelFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring gRPC client of {@code echo}: {@code /call?n=40} makes n Echo calls on Spring gRPC's
 * channel {@code echo} ({@code spring.grpc.client.channels.echo.address=etcd:///echo}) and answers
 * how many calls each server (by name) took. The servers come from etcd, balanced by their
 * registered weights: registry-etcd-spring-grpc gives etcd:/// channels the starter's resolver and
 * {@code etcd_weighted_round_robin}.
 */
@SpringBootApplication
@RestController
public class EchoGrpcCallerApplication {
  private final ManagedChannel echo;

  EchoGrpcCallerApplication(GrpcChannelFactory channels) {
    this.echo = channels.createChannel("echo"); // Spring gRPC shuts it down with the context
  }

  @GetMapping("/call")
  Map<String, Integer> call(@RequestParam(name = "n", defaultValue = "10") int n) {
    Map<String, Integer> callsPerServer = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String answer = Echo.call(echo, "call-" + i, Duration.ofSeconds(3));
      callsPerServer.merge(answer.substring(0, answer.indexOf(':')), 1, Integer::sum);
    }
    return callsPerServer;
  }

  /** The application, reading {@code echo-grpc-caller.properties}. */
  public static SpringApplication application() {
    return new SpringApplicationBuilder(EchoGrpcCallerApplication.class)
        .properties("spring.config.name=echo-grpc-caller")
        .build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
