package dev.registryetcd.registry;

import java.util.Objects;

/**
 * A registry or resolver operation failed in the store (unreachable, refused, timed out). The
 * message says what failed and what to check; it never contains a credential. {@link #reason()}
 * tells callers what kind of failure it is without reading the message.
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is. */
  public enum Reason {
    /**
     * etcd did not answer in time or could not be reached: check that it runs and the endpoints.
     */
    UNREACHABLE,
    /** etcd refused the user name or password. */
    AUTHENTICATION,
    /** etcd refused access to a key: the user's role lacks a permission. */
    PERMISSION,
    /** The TLS handshake failed: certificates, CA, or TLS on one side only. */
    TLS,
    /** A resolved service has no instance. */
    NO_INSTANCE,
    /** The calling thread was interrupted. */
    INTERRUPTED,
    /** Anything else etcd or the client reported. */
    OTHER
  }

  private final Reason reason;

  public RegistryException(String message) {
    this(Reason.OTHER, message, null);
  }

  public RegistryException(String message, Throwable cause) {
    this(Reason.OTHER, message, cause);
  }

  public RegistryException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
