package dev.registryetcd.grpc;

import io.grpc.NameResolver;
import io.grpc.SynchronizationContext;
import java.util.Map;

/** {@link NameResolver.Args} as a channel gives them, for resolvers a test makes by hand. */
public final class ResolverArgs {
  private ResolverArgs() {}

  /**
   * Default port 443, no proxy, a service config parser that takes any config as it is, and {@code
   * syncContext}; the caller adds what else it needs.
   */
  public static NameResolver.Args.Builder with(SynchronizationContext syncContext) {
    return NameResolver.Args.newBuilder()
        .setDefaultPort(443)
        .setProxyDetector(address -> null)
        .setSynchronizationContext(syncContext)
        .setServiceConfigParser(
            new NameResolver.ServiceConfigParser() {
              @Override
              public NameResolver.ConfigOrError parseServiceConfig(
                  Map<String, ?> rawServiceConfig) {
                return NameResolver.ConfigOrError.fromConfig(rawServiceConfig);
              }
            });
  }
}
