package dev.registryetcd.grpc.internal;

import dev.registryetcd.grpc.EtcdNameResolverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Where a service-loaded {@code EtcdNameResolverProvider} finds its endpoints and prefix: an
 * environment variable first, then a system property, then the default. Reads them each time it is
 * asked, so a setting made before the first channel resolves counts.
 */
public final class ProviderConfiguration {
  private final Function<String, String> env;
  private final Function<String, String> properties;

  /**
   * @param env reads an environment variable, {@code null} when unset
   * @param properties reads a system property, {@code null} when unset
   */
  public ProviderConfiguration(Function<String, String> env, Function<String, String> properties) {
    this.env = env;
    this.properties = properties;
  }

  /**
   * The configured endpoints, else the default.
   *
   * @throws IllegalArgumentException when the setting names no endpoint
   */
  public List<String> endpoints() {
    String configured =
        setting(
            EtcdNameResolverProvider.ENDPOINTS_ENV, EtcdNameResolverProvider.ENDPOINTS_PROPERTY);
    if (configured == null) {
      return List.of(EtcdNameResolverProvider.DEFAULT_ENDPOINT);
    }
    List<String> split = splitEndpoints(configured);
    if (split.isEmpty()) {
      throw new IllegalArgumentException(
          "no etcd endpoint in '"
              + configured
              + "': set "
              + EtcdNameResolverProvider.ENDPOINTS_ENV
              + " or "
              + EtcdNameResolverProvider.ENDPOINTS_PROPERTY
              + " to e.g. 127.0.0.1:2379,127.0.0.1:22379");
    }
    return split;
  }

  /** The configured prefix, or {@code null} for the library's default. */
  public String prefix() {
    return setting(EtcdNameResolverProvider.PREFIX_ENV, EtcdNameResolverProvider.PREFIX_PROPERTY);
  }

  /** Says where endpoints come from, for a message about endpoints that are not usable. */
  public String endpointSources() {
    return EtcdNameResolverProvider.ENDPOINTS_ENV
        + ", "
        + EtcdNameResolverProvider.ENDPOINTS_PROPERTY
        + " or the target";
  }

  /** {@code a, b,,c} → {@code [a, b, c]}: blanks dropped, each part trimmed. */
  public static List<String> splitEndpoints(String commaSeparated) {
    List<String> split = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      if (!part.isBlank()) {
        split.add(part.trim());
      }
    }
    return split;
  }

  private String setting(String envName, String propertyName) {
    String value = env.apply(envName);
    if (value == null || value.isBlank()) {
      value = properties.apply(propertyName);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
