package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.InvalidInfoException;
import dev.registryetcd.spring.registration.EtcdAutoServiceRegistration;
import dev.registryetcd.spring.registration.EtcdRegistration;
import dev.registryetcd.spring.registration.EtcdServiceRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Spring Cloud's service registry on the {@link EtcdRegistry} bean, and the registration of this
 * application under {@code spring.application.name} once its web server is up (see {@link
 * EtcdAutoServiceRegistration} for when it registers and deregisters). {@code
 * spring.cloud.service-registry.auto-registration.enabled=false} keeps the registry and drops the
 * automatic registration, as with Spring Cloud's other registries.
 */
@AutoConfiguration(after = EtcdAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBean(EtcdRegistry.class)
public class EtcdRegistrationAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  public EtcdServiceRegistry etcdServiceRegistry(EtcdRegistry registry) {
    return new EtcdServiceRegistry(registry);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(
      name = "spring.cloud.service-registry.auto-registration.enabled",
      matchIfMissing = true)
  public EtcdAutoServiceRegistration etcdAutoServiceRegistration(
      ApplicationContext context,
      EtcdServiceRegistry serviceRegistry,
      EtcdRegistry registry,
      EtcdSettings settings,
      Environment environment) {
    EtcdProperties.Instance instance = settings.properties().instance();
    return new EtcdAutoServiceRegistration(
        context,
        serviceRegistry,
        port -> registrationOf(instance, port, registry, environment),
        instance.port());
  }

  private static EtcdRegistration registrationOf(
      EtcdProperties.Instance instance, int port, EtcdRegistry registry, Environment environment) {
    boolean named = instance.serviceName() != null && !instance.serviceName().isBlank();
    String property = named ? "instance.service-name" : "spring.application.name";
    String serviceName =
        named ? instance.serviceName() : environment.getProperty("spring.application.name");
    if (serviceName == null || serviceName.isBlank()) {
      throw new InvalidEtcdPropertyException(
          "spring.application.name",
          serviceName,
          "set spring.application.name (or registry.etcd.instance.service-name) to the service name to register",
          null);
    }
    try {
      return EtcdAutoServiceRegistration.registrationOf(
          serviceName,
          instance.host(),
          port,
          instance.weight(),
          instance.tags(),
          registry::instanceOf);
    } catch (InvalidInfoException e) {
      String name = named ? EtcdProperties.PREFIX + "." + property : property;
      String offending =
          e.field() == InvalidInfoException.Field.SERVICE_NAME
              ? name
              : EtcdProperties.PREFIX + ".instance.host";
      throw new InvalidEtcdPropertyException(
          offending, offending.endsWith("host") ? instance.host() : serviceName, e.getMessage(), e);
    }
  }
}
