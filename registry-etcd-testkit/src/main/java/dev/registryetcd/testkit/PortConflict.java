package dev.registryetcd.testkit;

/**
 * Thrown internally when a member could not bind its freshly picked port (someone else took it).
 */
final class PortConflict extends RuntimeException {
  private static final long serialVersionUID = 1L;
}
