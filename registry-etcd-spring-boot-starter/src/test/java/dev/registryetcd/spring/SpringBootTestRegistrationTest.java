package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The way most applications test: {@code @SpringBootTest} on a random port with only the endpoints
 * set. The application is under its exact key while the context runs, and gone once Spring has
 * closed the context after the class ({@link DirtiesContext}); etcd is started by an extension
 * declared before Spring's, so it outlives the context and checks that last.
 */
@ExtendWith(SpringBootTestRegistrationTest.EtcdOutlivesTheContext.class)
@SpringBootTest(
    classes = TestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.application.name=boot-test-echo",
      "server.address=127.0.0.1",
      "registry.etcd.instance.host=127.0.0.1"
    })
@DirtiesContext
class SpringBootTestRegistrationTest {
  private static final String SERVICE_PREFIX = "kitex/registry-etcd/boot-test-echo/";
  private static EtcdCluster etcd;

  @DynamicPropertySource
  static void etcdEndpoints(DynamicPropertyRegistry registry) {
    registry.add(
        "registry.etcd.endpoints", () -> String.join(",", etcd.clientEndpointsAsHostPort()));
  }

  @LocalServerPort int port;

  @Test
  void theApplicationIsUnderItsExactKeyInGoFormat() throws Exception {
    List<KeyValue> stored = keysUnder(SERVICE_PREFIX);

    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).getKey().toString(UTF_8))
        .isEqualTo(SERVICE_PREFIX + "127.0.0.1:" + port);
    assertThat(stored.get(0).getValue().toString(UTF_8))
        .isEqualTo(
            "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                + port
                + "\",\"weight\":10,\"tags\":null}");
    assertThat(stored.get(0).getLease()).as("on the registry's lease").isNotZero();
  }

  private static List<KeyValue> keysUnder(String prefix) throws Exception {
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort())) {
      return client
          .getKVClient()
          .get(ByteSequence.from(prefix, UTF_8), GetOption.builder().isPrefix(true).build())
          .get(10, TimeUnit.SECONDS)
          .getKvs();
    }
  }

  /**
   * Starts etcd before the Spring context and, after Spring closed it, checks the key is gone, then
   * stops etcd.
   */
  static final class EtcdOutlivesTheContext implements BeforeAllCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
      etcd = EtcdCluster.single().start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
      try {
        assertThat(keysUnder(SERVICE_PREFIX)).as("keys left after the context closed").isEmpty();
      } finally {
        etcd.close();
      }
    }
  }
}
