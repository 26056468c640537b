package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.testkit.junit.EtcdExtension;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * etcd with auth on: the application registers as a user allowed only the registry prefix, and its
 * password shows in no log line and no actuator endpoint, even with every value shown.
 */
@ExtendWith(OutputCaptureExtension.class)
class PasswordTest {
  private static final String USER = "svc";
  private static final String PASSWORD = "svc-Pa55word-7f3a";

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @BeforeAll
  static void enableAuthWithARegistryOnlyUser() {
    etcd.cluster().enableAuth(USER, PASSWORD, "kitex/registry-etcd/");
  }

  @Test
  void thePasswordShowsInNoLogAndNoActuatorEndpoint(CapturedOutput output) {
    String env;
    String configprops;
    String health;
    String registered;
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=secured",
            "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
            "registry.etcd.username=" + USER,
            "registry.etcd.password=" + PASSWORD,
            "management.endpoints.web.exposure.include=env,configprops,health",
            "management.endpoint.env.show-values=always",
            "management.endpoint.configprops.show-values=always",
            "management.endpoint.health.show-details=always",
            "logging.level.dev.registryetcd=DEBUG",
            "logging.level.org.springframework.boot.context.properties=DEBUG")) {
      RestClient rest = RestClient.create("http://127.0.0.1:" + TestApp.port(app));
      env = rest.get().uri("/actuator/env").retrieve().body(String.class);
      configprops = rest.get().uri("/actuator/configprops").retrieve().body(String.class);
      health = rest.get().uri("/actuator/health").retrieve().body(String.class);
      registered =
          rest.get().uri("/actuator/env/registry.etcd.password").retrieve().body(String.class);
    }

    assertThat(health)
        .contains("\"etcd\"")
        .contains("\"status\":\"UP\"")
        .contains("\"registrations\":1");
    assertThat(env)
        .contains("registry.etcd.username")
        .contains("registry.etcd.password")
        .contains("******");
    assertThat(configprops).contains("registry.etcd").contains("\"username\":\"svc\"");
    assertThat(output.getAll())
        .contains("Registered kitex/registry-etcd/secured/127.0.0.1:"); // the capture works
    assertThat(List.of(env, configprops, health, registered, output.getAll()))
        .allSatisfy(text -> assertThat(text).doesNotContain(PASSWORD));
  }
}
