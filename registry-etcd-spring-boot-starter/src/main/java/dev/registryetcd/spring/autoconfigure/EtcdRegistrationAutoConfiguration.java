package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.InvalidInfoException;
import dev.registryetcd.spring.discovery.EtcdServiceInstance;
import dev.registryetcd.spring.registration.EtcdAutoServiceRegistration;
import dev.registryetcd.spring.registration.EtcdRegistration;
import dev.registryetcd.spring.registration.EtcdServiceRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistration;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Spring Cloud's service registry on the {@link EtcdRegistry} bean, this application's {@link
 * EtcdRegistration} (a Spring Cloud {@code Registration} bean, so the {@code serviceregistry}
 * actuator endpoint works), and its registration under {@code spring.application.name} once its web
 * server is up (see {@link EtcdAutoServiceRegistration} for when it registers and deregisters).
 * {@code spring.cloud.service-registry.auto-registration.enabled=false} keeps the registry and
 * drops the automatic registration, as with Spring Cloud's other registries.
 *
 * <p>The host registered is {@code registry.etcd.instance.host}, else the address Spring Cloud's
 * {@link InetUtils} picks ({@code spring.cloud.inetutils.*}), as Consul's and ZooKeeper's
 * integrations do; {@code KITEX_IP_TO_REGISTRY} replaces either, as for a Kitex server.
 */
@AutoConfiguration(after = EtcdAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBean(EtcdRegistry.class)
public class EtcdRegistrationAutoConfiguration {

  /** {@code register} fails when etcd does not answer, unless {@code fail-fast=false}. */
  @Bean
  @ConditionalOnMissingBean
  public EtcdServiceRegistry etcdServiceRegistry(EtcdRegistry registry, EtcdSettings settings) {
    return new EtcdServiceRegistry(registry, settings.properties().failFast());
  }

  /** This application's registration, completed with its port when the web server has one. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(
      name = "spring.cloud.service-registry.auto-registration.enabled",
      matchIfMissing = true)
  public EtcdRegistration etcdRegistration(EtcdSettings settings, Environment environment) {
    EtcdProperties.Instance instance = settings.properties().instance();
    String named = instance.serviceName();
    // checked when registering: an application without a web server may have no name
    return EtcdRegistration.awaitingPort(
        named != null && !named.isBlank()
            ? named
            : environment.getProperty("spring.application.name"),
        instance.instanceId());
  }

  /**
   * Registers the web server; backs off when another module registers this application (any {@link
   * AutoServiceRegistration} bean, e.g. registry-etcd-spring-grpc's for a gRPC server).
   */
  @Bean
  @ConditionalOnMissingBean(AutoServiceRegistration.class)
  @ConditionalOnBooleanProperty(
      name = "spring.cloud.service-registry.auto-registration.enabled",
      matchIfMissing = true)
  public EtcdAutoServiceRegistration etcdAutoServiceRegistration(
      ApplicationContext context,
      EtcdServiceRegistry serviceRegistry,
      EtcdRegistration etcdRegistration,
      EtcdRegistry registry,
      EtcdSettings settings,
      ObjectProvider<InetUtils> inetUtils,
      Environment environment) {
    EtcdProperties.Instance instance = settings.properties().instance();
    return new EtcdAutoServiceRegistration(
        context,
        serviceRegistry,
        etcdRegistration,
        port ->
            infoOf(
                instance,
                serviceNameOf(instance, environment),
                serviceNamePropertyOf(instance),
                port,
                inetUtils,
                registry),
        registry::instanceOf,
        instance.port(),
        settings.endpoints());
  }

  private static String serviceNameOf(EtcdProperties.Instance instance, Environment environment) {
    boolean named = instance.serviceName() != null && !instance.serviceName().isBlank();
    String serviceName =
        named ? instance.serviceName() : environment.getProperty("spring.application.name");
    if (serviceName == null || serviceName.isBlank()) {
      throw new InvalidEtcdPropertyException(
          "spring.application.name",
          serviceName,
          "set spring.application.name (or registry.etcd.instance.service-name) to the service name to register",
          null);
    }
    return serviceName;
  }

  /** The host: the property, else InetUtils' pick, else the wildcard (the library's pick). */
  private static String hostOf(EtcdProperties.Instance instance, ObjectProvider<InetUtils> inet) {
    if (instance.host() != null && !instance.host().isBlank()) {
      return instance.host();
    }
    InetUtils utils = inet.getIfAvailable();
    return utils == null ? null : utils.findFirstNonLoopbackHostInfo().getIpAddress();
  }

  /**
   * What this application registers for {@code port}, from the {@code registry.etcd.instance.*}
   * properties: the host (the property, else the address {@link InetUtils} picks, else the
   * wildcard, for which the library picks), weight, tags and {@code secure} (as the tag {@value
   * EtcdServiceInstance#SECURE}). {@code registry} checks it before anything is written, so that a
   * bad value stops the application naming its property. Shared with registry-etcd-spring-grpc,
   * which registers its gRPC port the same way.
   *
   * @param serviceNameProperty the property that gave {@code serviceName}, named when {@code
   *     serviceName} is refused
   * @throws InvalidEtcdPropertyException naming {@code serviceNameProperty} or {@code
   *     registry.etcd.instance.host}, whichever {@link Info} refused
   */
  public static Info infoOf(
      EtcdProperties.Instance instance,
      String serviceName,
      String serviceNameProperty,
      int port,
      ObjectProvider<InetUtils> inetUtils,
      EtcdRegistry registry) {
    Map<String, String> tags = instance.tags();
    if (instance.secure()) {
      tags = new LinkedHashMap<>(tags);
      tags.put(EtcdServiceInstance.SECURE, "true");
    }
    try {
      Info info =
          EtcdAutoServiceRegistration.infoOf(
              serviceName, hostOf(instance, inetUtils), port, instance.weight(), tags);
      registry.instanceOf(info); // refuses what cannot be registered, named below
      return info;
    } catch (InvalidInfoException e) {
      boolean nameRefused = e.field() == InvalidInfoException.Field.SERVICE_NAME;
      throw new InvalidEtcdPropertyException(
          nameRefused ? serviceNameProperty : EtcdProperties.PREFIX + ".instance.host",
          nameRefused ? serviceName : instance.host(),
          e.getMessage(),
          e);
    }
  }

  /** The property this application's service name comes from. */
  private static String serviceNamePropertyOf(EtcdProperties.Instance instance) {
    boolean named = instance.serviceName() != null && !instance.serviceName().isBlank();
    return named ? EtcdProperties.PREFIX + ".instance.service-name" : "spring.application.name";
  }
}
