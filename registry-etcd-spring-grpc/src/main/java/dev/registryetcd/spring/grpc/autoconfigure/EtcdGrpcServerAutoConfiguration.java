package dev.registryetcd.spring.grpc.autoconfigure;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.spring.autoconfigure.EtcdAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdProperties;
import dev.registryetcd.spring.autoconfigure.EtcdRegistrationAutoConfiguration;
import dev.registryetcd.spring.autoconfigure.EtcdSettings;
import dev.registryetcd.spring.autoconfigure.InvalidEtcdPropertyException;
import dev.registryetcd.spring.grpc.server.EtcdGrpcAutoServiceRegistration;
import dev.registryetcd.spring.grpc.server.EtcdGrpcServerRegistration;
import dev.registryetcd.spring.registration.EtcdAutoServiceRegistration;
import dev.registryetcd.spring.registration.EtcdRegistration;
import dev.registryetcd.spring.registration.EtcdServiceRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Registration of the Spring gRPC server: when the application runs one (a {@link
 * GrpcServerLifecycle} bean: Spring gRPC's Netty or shaded-Netty server, not the servlet mode,
 * where gRPC is served on the web server's port and the starter registers that port), it registers
 * the gRPC server's real port under {@code registry.etcd.grpc.service-name} (by default the
 * starter's service name) once it listens, and deregisters it before it stops taking calls (see
 * {@link EtcdGrpcServerRegistration}).
 *
 * <p>By default the gRPC server is this application's registration: the starter then registers no
 * web server, and the application's {@link EtcdRegistration} bean (Spring Cloud's {@code
 * Registration}, which the {@code serviceregistry} endpoint reads and sets) is the gRPC server's.
 * With {@code registry.etcd.grpc.register-web-server=true} the starter registers the web server as
 * usual, and the gRPC server registers in addition, under a service name that must differ.
 *
 * <p>Host, weight, tags and {@code secure} are the starter's {@code registry.etcd.instance.*};
 * {@code registry.etcd.instance.port} is the web server's only. {@code
 * spring.cloud.service-registry.auto-registration.enabled=false} or {@code
 * registry.etcd.grpc.registration.enabled=false} switch it off.
 */
@AutoConfiguration(
    after = EtcdAutoConfiguration.class,
    before = EtcdRegistrationAutoConfiguration.class,
    afterName =
        "org.springframework.boot.grpc.server.autoconfigure.GrpcServerFactoryAutoConfiguration")
@ConditionalOnClass(GrpcServerLifecycle.class)
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(
    name = EtcdGrpcProperties.PREFIX + ".registration.enabled",
    matchIfMissing = true)
@ConditionalOnBooleanProperty(
    name = "spring.cloud.service-registry.auto-registration.enabled",
    matchIfMissing = true)
@ConditionalOnBean({EtcdRegistry.class, EtcdSettings.class, GrpcServerLifecycle.class})
@EnableConfigurationProperties(EtcdGrpcProperties.class)
public class EtcdGrpcServerAutoConfiguration {

  /** The gRPC server is the application's registration; the starter registers no web server. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(
      name = EtcdGrpcProperties.PREFIX + ".register-web-server",
      havingValue = false,
      matchIfMissing = true)
  static class GrpcServerOnly {

    /** The application's Spring Cloud {@code Registration}: the gRPC server, once it listens. */
    @Bean
    @ConditionalOnMissingBean
    EtcdRegistration etcdRegistration(
        EtcdSettings settings, EtcdGrpcProperties grpc, Environment environment) {
      return EtcdRegistration.awaitingPort(
          serviceNameOf(settings, grpc, environment),
          settings.properties().instance().instanceId());
    }

    @Bean
    @ConditionalOnMissingBean
    EtcdGrpcServerRegistration etcdGrpcServerRegistration(
        ApplicationEventPublisher publisher,
        EtcdServiceRegistry serviceRegistry,
        EtcdRegistration etcdRegistration,
        EtcdRegistry registry,
        EtcdSettings settings,
        EtcdGrpcProperties grpc,
        ObjectProvider<InetUtils> inetUtils,
        Environment environment) {
      return registrationOf(
          publisher,
          serviceRegistry,
          etcdRegistration,
          registry,
          settings,
          serviceNameOf(settings, grpc, environment),
          inetUtils);
    }

    /** Keeps the starter from registering the web server (it backs off for any such bean). */
    @Bean
    @ConditionalOnMissingBean(EtcdAutoServiceRegistration.class)
    EtcdGrpcAutoServiceRegistration etcdGrpcAutoServiceRegistration(
        EtcdGrpcServerRegistration etcdGrpcServerRegistration) {
      return new EtcdGrpcAutoServiceRegistration(etcdGrpcServerRegistration);
    }
  }

  /**
   * The starter registers the web server; the gRPC server registers besides, as another service.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(name = EtcdGrpcProperties.PREFIX + ".register-web-server")
  static class WebServerToo {

    @Bean
    @ConditionalOnMissingBean
    EtcdGrpcServerRegistration etcdGrpcServerRegistration(
        ApplicationEventPublisher publisher,
        EtcdServiceRegistry serviceRegistry,
        EtcdRegistry registry,
        EtcdSettings settings,
        EtcdGrpcProperties grpc,
        ObjectProvider<InetUtils> inetUtils,
        Environment environment) {
      String serviceName = serviceNameOf(settings, grpc, environment);
      String webName = webServiceNameOf(settings, environment);
      if (serviceName.equals(webName)) {
        throw new InvalidEtcdPropertyException(
            EtcdGrpcProperties.PREFIX + ".service-name",
            serviceName,
            "with "
                + EtcdGrpcProperties.PREFIX
                + ".register-web-server=true the web server registers as "
                + webName
                + ": give the gRPC server another service name (callers of "
                + webName
                + " would get gRPC and web ports alike), or set register-web-server=false",
            null);
      }
      return registrationOf(
          publisher,
          serviceRegistry,
          EtcdRegistration.awaitingPort(serviceName, null),
          registry,
          settings,
          serviceName,
          inetUtils);
    }
  }

  private static EtcdGrpcServerRegistration registrationOf(
      ApplicationEventPublisher publisher,
      EtcdServiceRegistry serviceRegistry,
      EtcdRegistration registration,
      EtcdRegistry registry,
      EtcdSettings settings,
      String serviceName,
      ObjectProvider<InetUtils> inetUtils) {
    EtcdProperties.Instance instance = settings.properties().instance();
    return new EtcdGrpcServerRegistration(
        publisher,
        serviceRegistry,
        registration,
        port ->
            EtcdRegistrationAutoConfiguration.infoOf(
                instance,
                serviceName,
                EtcdGrpcProperties.PREFIX + ".service-name",
                port,
                inetUtils,
                registry),
        registry::instanceOf,
        settings.endpoints());
  }

  /** The gRPC server's service name: ours, else the starter's, else the application's. */
  static String serviceNameOf(
      EtcdSettings settings, EtcdGrpcProperties grpc, Environment environment) {
    if (notBlank(grpc.serviceName())) {
      return grpc.serviceName();
    }
    String name = webServiceNameOf(settings, environment);
    if (name == null) {
      throw new InvalidEtcdPropertyException(
          "spring.application.name",
          null,
          "set spring.application.name (or "
              + EtcdGrpcProperties.PREFIX
              + ".service-name) to the service name the gRPC server registers as",
          null);
    }
    return name;
  }

  private static String webServiceNameOf(EtcdSettings settings, Environment environment) {
    String named = settings.properties().instance().serviceName();
    String name = notBlank(named) ? named : environment.getProperty("spring.application.name");
    return notBlank(name) ? name : null;
  }

  private static boolean notBlank(String text) {
    return text != null && !text.isBlank();
  }
}
