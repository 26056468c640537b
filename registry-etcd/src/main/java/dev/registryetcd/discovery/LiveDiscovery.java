package dev.registryetcd.discovery;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Live discovery: the instances of services kept current by the store and pushed to listeners, as
 * the gRPC name resolver and the Spring discovery clients need them. Unlike {@link
 * Resolver#resolve}, nothing here throws {@link NoInstanceException}: a service without instances
 * is an empty list.
 *
 * <p>Implementations are thread-safe.
 */
public interface LiveDiscovery {

  /**
   * Calls {@code listener} with the current instances of {@code service}, then with every change,
   * until the returned subscription is closed; calls run on the implementation's listener threads.
   * Returns at once.
   *
   * @throws IllegalArgumentException when {@code service} is not a valid service name
   * @throws IllegalStateException when closed
   */
  Subscription subscribe(String service, ChangeListener listener);

  /**
   * As {@link #subscribe(String, ChangeListener)}, with each call to {@code listener} run on {@code
   * executor}, still one at a time and in order. A direct executor ({@code Runnable::run}) is
   * allowed for a listener that returns at once (it then runs on the implementation's own thread
   * and must not block).
   *
   * @throws IllegalArgumentException when {@code service} is not a valid service name
   * @throws IllegalStateException when closed
   */
  Subscription subscribe(String service, ChangeListener listener, Executor executor);

  /**
   * The name of every service with at least one instance.
   *
   * @throws dev.registryetcd.registry.RegistryException when the store cannot be read the first
   *     time
   * @throws IllegalStateException when closed
   */
  Set<String> services();

  /**
   * The current instances of {@code service}, an unmodifiable list, empty when it has none; the
   * same list object until the service changes.
   *
   * @throws IllegalArgumentException when {@code service} is not a valid service name
   * @throws dev.registryetcd.registry.RegistryException when the store cannot be read the first
   *     time
   * @throws IllegalStateException when closed
   */
  List<Instance> instances(String service);
}
