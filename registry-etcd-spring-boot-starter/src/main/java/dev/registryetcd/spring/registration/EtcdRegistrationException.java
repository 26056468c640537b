package dev.registryetcd.spring.registration;

import dev.registryetcd.registry.RegistryException;
import java.util.List;

/**
 * This application could not register in etcd at start-up (with {@code registry.etcd.fail-fast},
 * the default): names the instance, the endpoints (never credentials) and the cause. Spring Boot
 * reports it as a failure analysis, not a stack trace.
 */
public final class EtcdRegistrationException extends RuntimeException {
  private final String instanceId;
  private final List<String> endpoints;

  /**
   * @param endpoints the etcd endpoints; any user information in a URL is left out
   */
  public EtcdRegistrationException(
      String instanceId, List<String> endpoints, RegistryException cause) {
    super(
        "cannot register "
            + instanceId
            + " in etcd at "
            + String.join(", ", withoutCredentials(endpoints))
            + ": "
            + cause.getMessage(),
        cause);
    this.instanceId = instanceId;
    this.endpoints = withoutCredentials(endpoints);
  }

  /** The registration's instance id. */
  public String instanceId() {
    return instanceId;
  }

  /** The etcd endpoints, without user information. */
  public List<String> endpoints() {
    return endpoints;
  }

  /** The library's failure, with its reason (unreachable, refused, ...). */
  @Override
  public synchronized RegistryException getCause() {
    return (RegistryException) super.getCause();
  }

  private static List<String> withoutCredentials(List<String> endpoints) {
    return endpoints.stream().map(EtcdRegistrationException::withoutUserInfo).toList();
  }

  /** {@code http://user:secret@host:2379} becomes {@code http://host:2379}. */
  private static String withoutUserInfo(String endpoint) {
    int at = endpoint.lastIndexOf('@');
    if (at < 0) {
      return endpoint;
    }
    int scheme = endpoint.indexOf("://");
    return (scheme < 0 || scheme > at ? "" : endpoint.substring(0, scheme + 3))
        + endpoint.substring(at + 1);
  }
}
