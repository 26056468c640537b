package dev.registryetcd.discovery;

import dev.registryetcd.registry.RegistryException;

/**
 * A resolved service has no instance left: {@code "no instance remains for {service}"}, as Go says.
 */
public final class NoInstanceException extends RegistryException {
  private static final long serialVersionUID = 1L;
  private final String service;

  public NoInstanceException(String service) {
    super(Reason.NO_INSTANCE, "no instance remains for " + service, null);
    this.service = service;
  }

  public String service() {
    return service;
  }
}
