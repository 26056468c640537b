package dev.registryetcd.examples.spring.echo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot service that registers itself in etcd as {@code echo}, exactly as a Kitex server
 * would: the starter alone does it, from {@code echo-service.properties}.
 *
 * <pre>
 * java -cp ... dev.registryetcd.examples.spring.echo.EchoServiceApplication --registry.etcd.instance.weight=3
 * curl 'http://127.0.0.1:PORT/echo?msg=hi'   # {"service":"echo","port":PORT,"msg":"hi"}
 * </pre>
 */
@SpringBootApplication
@RestController
public class EchoServiceApplication {
  private final Environment environment;

  EchoServiceApplication(Environment environment) {
    this.environment = environment;
  }

  /** What {@code /echo} answers. */
  public record Echo(String service, int port, String msg) {}

  @GetMapping("/echo")
  Echo echo(@RequestParam(name = "msg", defaultValue = "") String msg) {
    return new Echo(
        environment.getProperty("spring.application.name"),
        environment.getRequiredProperty("local.server.port", Integer.class),
        msg);
  }

  /** The application, reading {@code echo-service.properties}. */
  public static SpringApplication application() {
    return new SpringApplicationBuilder(EchoServiceApplication.class)
        .properties("spring.config.name=echo-service")
        .build();
  }

  public static void main(String[] args) {
    application().run(args);
  }
}
