package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.metrics.EtcdMetrics;
import dev.registryetcd.spring.autoconfigure.EtcdAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdDiscoveryAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdHealthAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdMetricsAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdProperties;
import dev.registryetcd.spring.autoconfigure.EtcdRegistrationAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdSettings;
import dev.registryetcd.spring.autoconfigure.InvalidEtcdPropertyException;
import dev.registryetcd.spring.discovery.EtcdDiscoveryClient;
import dev.registryetcd.spring.registration.EtcdServiceRegistry;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the properties switch on and off, what a bad value does, and that the application's own
 * beans win.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  EtcdAutoConfiguration.class,
                  EtcdRegistrationAutoConfiguration.class,
                  EtcdDiscoveryAutoConfiguration.class,
                  EtcdHealthAutoConfiguration.class,
                  EtcdMetricsAutoConfiguration.class))
          .withPropertyValues(
              "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()));

  @Test
  void disabledRegistersNothingAndMakesNoEtcdBean() throws Exception {
    try (ConfigurableApplicationContext app =
        TestApp.start(
            List.of(),
            "spring.application.name=disabled-app",
            "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
            "registry.etcd.enabled=false")) {
      assertThat(TestApp.port(app)).isPositive();
      assertThat(app.getBeanNamesForType(EtcdRegistry.class)).isEmpty();
      assertThat(app.getBeanNamesForType(EtcdResolver.class)).isEmpty();
      assertThat(app.getBeanNamesForType(Client.class)).isEmpty();
      assertThat(app.getBeanNamesForType(EtcdDiscoveryClient.class)).isEmpty();
      try (Client client = EtcdClients.newClient(etcd.clientEndpoints())) {
        long keys =
            client
                .getKVClient()
                .get(
                    ByteSequence.from("kitex/registry-etcd/", UTF_8),
                    GetOption.builder().isPrefix(true).withCountOnly(true).build())
                .get(10, TimeUnit.SECONDS)
                .getCount();
        assertThat(keys).isZero();
      }
    }
  }

  @Test
  void everyPartIsThereByDefault() {
    runner.run(
        context ->
            assertThat(context)
                .hasSingleBean(Client.class)
                .hasSingleBean(EtcdRegistry.class)
                .hasSingleBean(EtcdResolver.class)
                .hasSingleBean(EtcdServiceRegistry.class)
                .hasSingleBean(EtcdDiscoveryClient.class)
                .hasBean("etcdHealthIndicator")
                .doesNotHaveBean(EtcdMetrics.class)); // no MeterRegistry in this context
  }

  @Test
  void registrationAndDiscoveryCanBeSwitchedOffApart() {
    runner
        .withPropertyValues("registry.etcd.registration.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(EtcdRegistry.class)
                    .doesNotHaveBean(EtcdServiceRegistry.class)
                    .hasSingleBean(EtcdDiscoveryClient.class));
    runner
        .withPropertyValues("registry.etcd.discovery.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .hasSingleBean(EtcdRegistry.class)
                    .doesNotHaveBean(EtcdResolver.class)
                    .doesNotHaveBean(EtcdDiscoveryClient.class));
  }

  @Test
  void theApplicationsOwnBeansWin() {
    runner
        .withUserConfiguration(OwnResolver.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(EtcdResolver.class);
              assertThat(context.getBean(EtcdResolver.class))
                  .isSameAs(context.getBean(OwnResolver.class).made);
            });
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "registry.etcd.lease-ttl=0s            | registry.etcd.lease-ttl            | >= 1s",
        "registry.etcd.lease-ttl=1500ms        | registry.etcd.lease-ttl            | whole number of seconds",
        "registry.etcd.default-weight=-1       | registry.etcd.default-weight       | must be > 0",
        "registry.etcd.dial-timeout=0s         | registry.etcd.dial-timeout         | must be positive",
        "registry.etcd.prefix=                 | registry.etcd.prefix               | must not be empty",
        "registry.etcd.retry.max-attempt-times=-2 | registry.etcd.retry.max-attempt-times | >= 0",
        "registry.etcd.retry.retry-delay=0s    | registry.etcd.retry.retry-delay    | must be positive",
        "registry.etcd.instance.weight=0       | registry.etcd.instance.weight      | >= 1",
        "registry.etcd.endpoints=ftp://x:1     | registry.etcd.endpoints            | scheme",
        "registry.etcd.tls.ca-file=/no/such/ca.pem | registry.etcd.tls.ca-file      | /no/such/ca.pem",
        "registry.etcd.tls.cert-file=/no/cert.pem | registry.etcd.tls.key-file     | go together",
        "registry.etcd.tls.key-file=/no/key.pem  | registry.etcd.tls.cert-file    | go together",
      })
  void aBadValueStopsStartUpNamingTheProperty(String setting, String property, String allowed) {
    runner
        .withPropertyValues(setting)
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              InvalidEtcdPropertyException invalid =
                  findCause(failure, InvalidEtcdPropertyException.class);
              assertThat(invalid).as("cause of %s", failure).isNotNull();
              assertThat(invalid.property()).isEqualTo(property);
              assertThat(invalid.getMessage()).contains(property).contains(allowed);
            });
  }

  @Test
  void theFailureReportNamesThePropertyAndWhatIsAllowed(CapturedOutput output) {
    Throwable failure =
        catchThrowable(
            () ->
                TestApp.start(
                    List.of(),
                    "spring.application.name=bad",
                    "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort()),
                    "registry.etcd.lease-ttl=0s"));

    assertThat(findCause(failure, InvalidEtcdPropertyException.class)).isNotNull();
    assertThat(output.getAll())
        .contains("APPLICATION FAILED TO START")
        .contains("Invalid value 'PT0S' for property 'registry.etcd.lease-ttl'")
        .contains("whole number of seconds >= 1s");
  }

  @Test
  void thePropertiesNeverShowThePassword() {
    runner
        .withPropertyValues("registry.etcd.username=svc", "registry.etcd.password=s3cret-Pa55")
        .run(
            context -> {
              assertThat(context.getBean(EtcdProperties.class).toString())
                  .contains("username=svc")
                  .doesNotContain("s3cret-Pa55");
              assertThat(context.getBean(EtcdSettings.class).toString())
                  .contains("auth(user=svc, password=***)")
                  .doesNotContain("s3cret-Pa55");
              assertThat(context.getBean(EtcdRegistry.class).toString())
                  .doesNotContain("s3cret-Pa55");
            });
  }

  private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnResolver {
    EtcdResolver made;

    @Bean(destroyMethod = "close")
    EtcdResolver myResolver(Client client) {
      made = EtcdResolver.builder().client(client).build();
      return made;
    }
  }
}
