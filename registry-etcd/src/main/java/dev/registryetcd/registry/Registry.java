package dev.registryetcd.registry;

/**
 * Registers service instances so that clients can find them: the Java form of Kitex's {@code
 * registry.Registry}.
 *
 * <p>Implementations are thread-safe. {@link #close()} withdraws every registration this registry
 * still holds and is idempotent.
 */
public interface Registry extends AutoCloseable {

  /**
   * Registers {@code info}, or replaces the registration of the same service and address (for
   * example with a new weight). Returns once the registration is stored.
   *
   * @throws IllegalArgumentException when {@code info} cannot be registered; nothing is written
   * @throws RegistryException when the registry's store does not accept it
   */
  void register(Info info);

  /**
   * Withdraws the registration of {@code info}'s service and address. Deregistering what is not
   * registered is not an error.
   *
   * @throws RegistryException when the registry's store cannot be reached
   */
  void deregister(Info info);

  /** Withdraws every registration and releases what the registry holds. Never throws. */
  @Override
  void close();
}
