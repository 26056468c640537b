package dev.registryetcd.discovery;

import java.util.List;
import java.util.Objects;

/**
 * What a resolver found for one description: the Java form of Kitex's {@code discovery.Result}.
 * Immutable.
 *
 * @param cacheable whether the result may be cached under {@code cacheKey}
 * @param cacheKey the key to cache it under (the service name, for etcd)
 * @param instances the instances, an unmodifiable list
 */
public record Result(boolean cacheable, String cacheKey, List<Instance> instances) {
  public Result {
    Objects.requireNonNull(cacheKey, "cacheKey");
    instances = List.copyOf(instances);
  }
}
