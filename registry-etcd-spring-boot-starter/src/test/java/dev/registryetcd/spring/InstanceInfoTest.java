package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.spring.autoconfigure.EtcdProperties;
import dev.registryetcd.spring.autoconfigure.EtcdRegistrationAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.InvalidEtcdPropertyException;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.cloud.commons.util.InetUtils;

/**
 * {@link EtcdRegistrationAutoConfiguration#infoOf}, what the starter and registry-etcd-spring-grpc
 * register from {@code registry.etcd.instance.*}: a refusal names the property the caller says the
 * service name came from.
 */
class InstanceInfoTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final ObjectProvider<InetUtils> NO_INET_UTILS =
      new StaticListableBeanFactory().getBeanProvider(InetUtils.class);

  private final EtcdRegistry registry =
      EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  @Test
  void theInstancePropertiesMakeTheInfoWithSecureAsATag() {
    EtcdProperties.Instance instance =
        new EtcdProperties.Instance(
            null, "10.0.0.7", null, 1L << 40, Map.of("zone", "b"), null, true);

    Info info =
        EtcdRegistrationAutoConfiguration.infoOf(
            instance, "echo", "spring.application.name", 9090, NO_INET_UTILS, registry);

    assertThat(info.serviceName()).isEqualTo("echo");
    assertThat(info.address()).isEqualTo(InetSocketAddress.createUnresolved("10.0.0.7", 9090));
    assertThat(info.weight()).isEqualTo(1L << 40);
    assertThat(info.tags())
        .containsExactlyInAnyOrderEntriesOf(Map.of("zone", "b", "secure", "true"));
  }

  @Test
  void aRefusedServiceNameNamesThePropertyTheCallerGave() {
    EtcdProperties.Instance instance =
        new EtcdProperties.Instance(null, "10.0.0.7", null, 10, Map.of(), null, false);

    assertThatThrownBy(
            () ->
                EtcdRegistrationAutoConfiguration.infoOf(
                    instance,
                    "a/b",
                    "registry.etcd.grpc.service-name",
                    9090,
                    NO_INET_UTILS,
                    registry))
        .isInstanceOfSatisfying(
            InvalidEtcdPropertyException.class,
            e -> {
              assertThat(e.property()).isEqualTo("registry.etcd.grpc.service-name");
              assertThat(e.value()).isEqualTo("a/b");
              assertThat(e.getMessage()).contains("'/'");
            });
  }
}
