package dev.registryetcd.registry;

import java.util.Objects;

/**
 * An {@link Info} that cannot be registered, naming the field at fault, so that a framework maps it
 * to its own setting without reading the message. Nothing was written to etcd.
 */
public final class InvalidInfoException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The part of an {@link Info} that was refused. */
  public enum Field {
    /** {@link Info#serviceName()}. */
    SERVICE_NAME,
    /**
     * {@link Info#address()}, or what the address rules made of it (the {@code KITEX_*} variables,
     * a wildcard host on a machine without IPv4, a fixed address).
     */
    ADDRESS,
    /** {@link Info#startTime()}. */
    START_TIME,
    /** {@link Info#warmUp()}. */
    WARM_UP,
    /** {@link Info#tags()}. */
    TAGS
  }

  private final Field field;

  /**
   * @param message what is wrong and how to fix it
   */
  public InvalidInfoException(Field field, String message) {
    super(message);
    this.field = Objects.requireNonNull(field, "field");
  }

  /** The refused field. */
  public Field field() {
    return field;
  }
}
