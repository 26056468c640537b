package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.spring.registration.EtcdRegistrationException;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * etcd away at start-up, both ways: fail fast (the default) with a failure analysis naming the
 * endpoints and the cause, or {@code registry.etcd.fail-fast=false}: the application starts,
 * serves, reports health DOWN, and registers within 2 s of etcd answering.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupWithoutEtcdTest {
  private static final String PASSWORD = "never-shown-4711";

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void failsFastWithAReportNamingTheEndpointsTheCauseAndWhatToDo(CapturedOutput output)
      throws IOException {
    String closed = "127.0.0.1:" + closedPort();

    Throwable failure =
        catchThrowable(
            () -> {
              try (ConfigurableApplicationContext unexpected =
                  TestApp.start(
                      List.of(),
                      "spring.application.name=startup-echo",
                      "registry.etcd.endpoints=http://someone:" + PASSWORD + "@" + closed,
                      "registry.etcd.dial-timeout=1s")) {
                assertThat(unexpected).as("started without etcd").isNull();
              }
            });

    assertThat(failure).hasRootCauseInstanceOf(Exception.class);
    assertThat(hasCause(failure, EtcdRegistrationException.class)).isTrue();
    String log = output.getAll();
    assertThat(log)
        .contains("APPLICATION FAILED TO START")
        .contains("registry-etcd could not register startup-echo/127.0.0.1:")
        .contains("in etcd at http://" + closed)
        .contains("Cause: ")
        .contains("Start etcd, or check that registry.etcd.endpoints")
        .contains("registry.etcd.fail-fast=false")
        .doesNotContain(PASSWORD)
        .doesNotContain("someone:");
    assertThat(log.lines().filter(line -> line.startsWith("\tat ")))
        .as("stack-trace lines in the log")
        .isEmpty();
  }

  @Test
  void withoutFailFastItStartsServesIsDownAndRegistersWithinTwoSecondsOfEtcd() throws Exception {
    etcd.member(0).stop();
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=patient-echo",
            "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
            "registry.etcd.fail-fast=false",
            "registry.etcd.dial-timeout=1s")) {
      int port = TestApp.port(app);
      String key = "kitex/registry-etcd/patient-echo/127.0.0.1:" + port;

      assertThat(RestClient.create().get().uri("http://127.0.0.1:" + port + "/hello").retrieve())
          .extracting(response -> response.body(String.class))
          .isEqualTo(Integer.toString(port));
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                EtcdHealth health = EtcdHealth.of(app);
                assertThat(health.status()).isEqualTo("DOWN");
                assertThat(health.details()).containsEntry("registrations", 1);
                assertThat((String) health.details().get("problem")).contains("etcd");
              });

      etcd.member(0).restart();

      try (Client client = EtcdClients.newClient(etcd.clientEndpoints())) {
        await().atMost(Duration.ofSeconds(2)).until(() -> valueOf(client, key) != null);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> EtcdHealth.of(app).status().equals("UP"));
    }
  }

  private static String valueOf(Client client, String key) throws Exception {
    List<KeyValue> kvs =
        client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(UTF_8);
  }

  private static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** A loopback port nothing listens on. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
