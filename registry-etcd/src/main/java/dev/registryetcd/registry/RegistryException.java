package dev.registryetcd.registry;

/**
 * A registry or resolver operation failed in the store (unreachable, refused, timed out). The
 * message says what failed and what to check; it never contains a credential.
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
