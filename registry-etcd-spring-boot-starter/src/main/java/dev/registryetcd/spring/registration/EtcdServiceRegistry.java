package dev.registryetcd.spring.registration;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.InstanceStatus;
import java.util.Locale;
import java.util.Objects;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * Spring Cloud's {@link ServiceRegistry} on an {@link EtcdRegistry}: what it registers lands in
 * etcd exactly as the Kitex etcd extension writes it.
 *
 * <p>Status, as the {@code serviceregistry} actuator endpoint sets and reads it: {@code
 * OUT_OF_SERVICE} takes the instance out of rotation for Go and Java callers alike (its key is
 * deleted while the registry keeps holding it, and nothing puts it back), {@code UP} puts it back;
 * see {@link EtcdRegistry#setStatus}. Thread-safe. {@link #close()} does nothing: the registry is a
 * bean of its own.
 */
public final class EtcdServiceRegistry implements ServiceRegistry<EtcdRegistration> {
  /** The status of a registration that is in etcd. */
  public static final String UP = "UP";

  /** The status of a registration held out of etcd by {@link #setStatus}. */
  public static final String OUT_OF_SERVICE = "OUT_OF_SERVICE";

  private final EtcdRegistry registry;
  private final boolean failFast;

  /** A registry whose {@link #register} fails when etcd does not answer. */
  public EtcdServiceRegistry(EtcdRegistry registry) {
    this(registry, true);
  }

  /**
   * @param failFast whether {@link #register} fails when etcd does not answer; when false it holds
   *     the registration and the registry puts it as soon as etcd answers ({@link
   *     EtcdRegistry#registerEventually})
   */
  public EtcdServiceRegistry(EtcdRegistry registry, boolean failFast) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.failFast = failFast;
  }

  /**
   * Writes {@code registration} to etcd, attached to the registry's lease; without fail-fast, holds
   * it until etcd takes it.
   *
   * @throws dev.registryetcd.registry.RegistryException with fail-fast, when etcd does not accept
   *     it in time
   * @throws IllegalStateException when the registration awaits its port
   */
  @Override
  public void register(EtcdRegistration registration) {
    if (failFast) {
      registry.register(registration.info());
    } else {
      registry.registerEventually(registration.info());
    }
  }

  /** Deletes {@code registration} from etcd; nothing when it awaits its port. */
  @Override
  public void deregister(EtcdRegistration registration) {
    if (registration.isBound()) {
      registry.deregister(registration.info());
    }
  }

  @Override
  public void close() {
    // the EtcdRegistry bean is closed by its context, after every deregistration
  }

  /**
   * {@code OUT_OF_SERVICE} deletes the key and holds the registration, {@code UP} puts it back (or
   * registers it, when it is not registered); any other status is refused.
   *
   * @throws IllegalArgumentException for another status
   * @throws IllegalStateException for {@code OUT_OF_SERVICE} of a registration not registered here
   */
  @Override
  public void setStatus(EtcdRegistration registration, String status) {
    String wanted = status == null ? "" : status.toUpperCase(Locale.ROOT);
    switch (wanted) {
      case UP -> {
        if (registry.statusOf(registration.info()) == null) {
          register(registration);
        } else {
          registry.setStatus(registration.info(), InstanceStatus.UP);
        }
      }
      case OUT_OF_SERVICE -> registry.setStatus(registration.info(), InstanceStatus.OUT_OF_SERVICE);
      default ->
          throw new IllegalArgumentException(
              "status must be " + UP + " or " + OUT_OF_SERVICE + ", not " + status);
    }
  }

  /**
   * {@code UP}, {@code OUT_OF_SERVICE}, or null when this registry does not hold the registration
   * (or it awaits its port). Reads nothing from etcd.
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T> T getStatus(EtcdRegistration registration) {
    if (!registration.isBound()) {
      return null;
    }
    InstanceStatus status = registry.statusOf(registration.info());
    return status == null ? null : (T) status.name();
  }

  /** The registry this writes to. */
  public EtcdRegistry registry() {
    return registry;
  }

  /** Whether {@link #register} fails when etcd does not answer. */
  public boolean failFast() {
    return failFast;
  }
}
