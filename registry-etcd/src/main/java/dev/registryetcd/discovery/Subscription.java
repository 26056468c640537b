package dev.registryetcd.discovery;

/** A listener's registration with a resolver; {@link #close()} stops its deliveries. Idempotent. */
public interface Subscription extends AutoCloseable {
  @Override
  void close();
}
