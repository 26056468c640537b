package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
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

  @RegisterExtension static final EtcdKeys keys = new EtcdKeys(etcd);

  private static String endpoints() {
    return keys.endpointsProperty();
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
    return List.copyOf(keys.under(prefix).keySet());
  }

  private static String valueOf(String key) throws Exception {
    return keys.value(key);
  }
}
