package dev.registryetcd.discovery;

/**
 * Finds the instances of services: the Java form of Kitex's {@code discovery.Resolver}.
 *
 * <p>Implementations are thread-safe.
 */
public interface Resolver extends AutoCloseable {

  /**
   * The description {@link #resolve} takes for the service a client calls; for etcd, the service
   * name itself.
   */
  String target(String serviceName);

  /**
   * The instances for {@code description}.
   *
   * @throws NoInstanceException when none remains
   * @throws dev.registryetcd.registry.RegistryException when the store cannot be read
   */
  Result resolve(String description);

  /** How {@code next} differs from {@code prev}; {@link Diff#defaultDiff} unless overridden. */
  default Change diff(String cacheKey, Result prev, Result next) {
    return Diff.defaultDiff(cacheKey, prev, next);
  }

  /** The resolver's name, e.g. {@code etcd}. */
  String name();

  /** Stops everything the resolver runs and releases what it holds. Idempotent, never throws. */
  @Override
  void close();
}
