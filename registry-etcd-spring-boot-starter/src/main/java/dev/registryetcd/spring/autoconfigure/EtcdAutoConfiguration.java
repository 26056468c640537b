package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.events.EtcdEvents;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The etcd beans: one jetcd {@link Client} made from {@code registry.etcd.*}, shared by an {@link
 * EtcdRegistry} and an {@link EtcdResolver}. Every bean backs off when the application defines its
 * own; {@code registry.etcd.enabled=false} switches everything off.
 *
 * <p>Closing order: the registry (revoking its lease, so this instance's keys vanish at once), then
 * the resolver, then the client they share. The resolver is made before the registry so that
 * Spring, which destroys beans in the reverse order of their creation, closes it after the
 * registry; both depend on the client, which is closed last.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = EtcdProperties.PREFIX + ".enabled", matchIfMissing = true)
@EnableConfigurationProperties(EtcdProperties.class)
public class EtcdAutoConfiguration {

  /** The properties, checked and turned into the library's options. */
  @Bean
  @ConditionalOnMissingBean
  public EtcdSettings etcdSettings(EtcdProperties properties) {
    return EtcdSettings.of(properties);
  }

  /** The one connection to etcd; closed after the registry and the resolver. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Client etcdClient(EtcdSettings settings) {
    return settings.newClient();
  }

  /** Reads etcd for the discovery clients, from a watch-backed cache. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(
      name = EtcdProperties.PREFIX + ".discovery.enabled",
      matchIfMissing = true)
  public EtcdResolver etcdResolver(
      Client etcdClient, EtcdSettings settings, ObjectProvider<EtcdEvents> events) {
    return EtcdResolver.builder()
        .client(etcdClient)
        .options(settings.options())
        .idleTimeout(idleTimeout(settings))
        .events(events(events))
        .build();
  }

  /** Writes this application's registrations to etcd and keeps them there. */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  @ConditionalOnBooleanProperty(
      name = EtcdProperties.PREFIX + ".registration.enabled",
      matchIfMissing = true)
  public EtcdRegistry etcdRegistry(
      Client etcdClient,
      EtcdSettings settings,
      ObjectProvider<EtcdEvents> events,
      ObjectProvider<EtcdResolver> resolver) {
    resolver.getIfUnique(); // made first, so closed after the registry: see the class comment
    return EtcdRegistry.builder()
        .client(etcdClient)
        .options(settings.options())
        .retryConfig(settings.retryConfig())
        .events(events(events))
        .build();
  }

  private static Duration idleTimeout(EtcdSettings settings) {
    return settings.properties().discovery().idleTimeout();
  }

  /** The application's observers (the Micrometer binding among them) as one. */
  private static EtcdEvents events(ObjectProvider<EtcdEvents> provider) {
    List<EtcdEvents> all = provider.orderedStream().toList();
    return switch (all.size()) {
      case 0 -> EtcdEvents.NONE;
      case 1 -> all.get(0);
      default -> new CompositeEtcdEvents(all);
    };
  }
}
