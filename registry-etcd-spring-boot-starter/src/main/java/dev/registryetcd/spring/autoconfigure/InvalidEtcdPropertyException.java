package dev.registryetcd.spring.autoconfigure;

/**
 * A {@code registry.etcd.*} property has a value the library refuses. Stops start-up; the failure
 * analyzer turns it into a report that names the property and what it allows. The message never
 * holds the password.
 */
public final class InvalidEtcdPropertyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String property;
  private final String value;
  private final String reason;

  /**
   * @param property the full property name, e.g. {@code registry.etcd.lease-ttl}
   * @param value the value as bound, as it may be shown
   * @param reason what is wrong and what is allowed, usually the library's message
   */
  public InvalidEtcdPropertyException(
      String property, Object value, String reason, Throwable cause) {
    super("Invalid " + property + "=" + value + ": " + reason, cause);
    this.property = property;
    this.value = String.valueOf(value);
    this.reason = reason;
  }

  /** The full property name, e.g. {@code registry.etcd.lease-ttl}. */
  public String property() {
    return property;
  }

  /** The refused value. */
  public String value() {
    return value;
  }

  /** What is wrong and what is allowed. */
  public String reason() {
    return reason;
  }
}
