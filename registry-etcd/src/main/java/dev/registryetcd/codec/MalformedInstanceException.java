package dev.registryetcd.codec;

/** Thrown when bytes found under an instance key are not a value the Go extension would accept. */
public final class MalformedInstanceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  MalformedInstanceException(String message, Throwable cause) {
    super(message, cause);
  }

  MalformedInstanceException(String message) {
    super(message);
  }
}
