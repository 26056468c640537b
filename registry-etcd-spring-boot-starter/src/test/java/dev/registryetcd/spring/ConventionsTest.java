package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.Registration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * What Spring Cloud users expect of a registry: {@code spring.cloud.inetutils.*} picks the host,
 * {@code instance-id} and {@code secure} properties, no WARN about a cache the starter turned off,
 * and no meter that always reads 0.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConventionsTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static Client client;

  @BeforeAll
  static void connect() {
    client = EtcdClients.newClient(etcd.clientEndpoints());
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  private static String endpoints() {
    return "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort());
  }

  @Test
  void withoutAHostPropertyInetUtilsPicksTheHost() throws Exception {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=inet-echo",
            endpoints(),
            "registry.etcd.instance.host=",
            // every interface ignored: InetUtils falls back to the local host's address
            "spring.cloud.inetutils.ignored-interfaces=.*")) {
      String libraryPick =
          app.getBean(EtcdRegistry.class)
              .instanceOf(
                  Info.builder()
                      .serviceName("inet-echo")
                      .address(new InetSocketAddress("0.0.0.0", 1))
                      .build())
              .address();
      String expected = InetAddress.getLocalHost().getHostAddress();
      assumeThat(libraryPick)
          .as("the library alone would pick another host")
          .doesNotStartWith(expected + ":");

      assertThat(keysUnder("kitex/registry-etcd/inet-echo/"))
          .containsExactly("kitex/registry-etcd/inet-echo/" + expected + ":" + TestApp.port(app));
      assertThat(app.getBean(Registration.class).getHost()).isEqualTo(expected);
    }
  }

  @Test
  void instanceIdAndSecureProperties() throws Exception {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=secure-echo",
            endpoints(),
            "registry.etcd.instance.instance-id=secure-echo-1",
            "registry.etcd.instance.secure=true")) {
      int port = TestApp.port(app);
      Registration registration = app.getBean(Registration.class);

      assertThat(registration.getInstanceId()).isEqualTo("secure-echo-1");
      assertThat(registration.isSecure()).isTrue();
      assertThat(registration.getUri()).hasToString("https://127.0.0.1:" + port);
      assertThat(valueOf("kitex/registry-etcd/secure-echo/127.0.0.1:" + port))
          .contains("\"tags\":{\"secure\":\"true\"}");
      ServiceInstance found = app.getBean(DiscoveryClient.class).getInstances("secure-echo").get(0);
      assertThat(found.isSecure()).isTrue();
      assertThat(found.getUri()).hasToString("https://127.0.0.1:" + port);
    }
  }

  @Test
  void aWeightBeyondJavaIntIsRegisteredWholeAsGoWritesItAndClampedOnlyInSpringMetadata()
      throws Exception {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=heavy-echo",
            endpoints(),
            "registry.etcd.instance.weight=1099511627776")) {
      int port = TestApp.port(app);

      assertThat(valueOf("kitex/registry-etcd/heavy-echo/127.0.0.1:" + port))
          .isEqualTo(
              "{\"network\":\"tcp\",\"address\":\"127.0.0.1:"
                  + port
                  + "\",\"weight\":1099511627776,\"tags\":null}");
      // Spring Cloud LoadBalancer parses the metadata with Integer.parseInt
      assertThat(app.getBean(Registration.class).getMetadata())
          .containsEntry("weight", Integer.toString(Integer.MAX_VALUE));
    }
  }

  @Test
  void loadBalancedCallsLogNoCacheWarningAndTheAlwaysZeroMeterIsGone(CapturedOutput output) {
    try (ConfigurableApplicationContext app =
        TestApp.start(List.of(), "spring.application.name=lb-echo", endpoints())) {
      RestClient.Builder builder = app.getBean(RestClient.Builder.class);

      String answer =
          builder.build().get().uri("http://lb-echo/hello").retrieve().body(String.class);

      assertThat(answer).isEqualTo(Integer.toString(TestApp.port(app)));
      assertThat(output.getAll()).doesNotContain("LoadBalancerCacheManager not available");
      MeterRegistry meters = app.getBean(MeterRegistry.class);
      assertThat(meters.find("registry.etcd.registrations").gauge()).isNotNull();
      assertThat(meters.find("registry.etcd.listener.latency").timer()).isNull();
    }
  }

  private static List<String> keysUnder(String prefix) throws Exception {
    return client
        .getKVClient()
        .get(ByteSequence.from(prefix, UTF_8), GetOption.builder().isPrefix(true).build())
        .get(10, TimeUnit.SECONDS)
        .getKvs()
        .stream()
        .map(kv -> kv.getKey().toString(UTF_8))
        .toList();
  }

  private static String valueOf(String key) throws Exception {
    List<KeyValue> kvs =
        client.getKVClient().get(ByteSequence.from(key, UTF_8)).get(10, TimeUnit.SECONDS).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0).getValue().toString(UTF_8);
  }
}
