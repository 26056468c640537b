package dev.registryetcd.spring.registration;

import dev.registryetcd.etcd.EtcdRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.cloud.client.serviceregistry.ServiceRegistry;

/**
 * Spring Cloud's {@link ServiceRegistry} on an {@link EtcdRegistry}: what it registers lands in
 * etcd exactly as the Kitex etcd extension writes it.
 *
 * <p>Status: {@code OUT_OF_SERVICE} deregisters (callers stop finding the instance while it keeps
 * running), {@code UP} registers again; this is what the {@code serviceregistry} actuator endpoint
 * calls. Thread-safe. {@link #close()} does nothing: the registry is a bean of its own.
 */
public final class EtcdServiceRegistry implements ServiceRegistry<EtcdRegistration> {
  /** The status of a registration that is in etcd. */
  public static final String UP = "UP";

  /** The status of a registration taken out of etcd by {@link #setStatus}. */
  public static final String OUT_OF_SERVICE = "OUT_OF_SERVICE";

  private final EtcdRegistry registry;
  private final Map<String, String> statuses = new ConcurrentHashMap<>();

  public EtcdServiceRegistry(EtcdRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Writes {@code registration} to etcd, attached to the registry's lease.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd does not accept it in time
   */
  @Override
  public void register(EtcdRegistration registration) {
    registry.register(registration.info());
    statuses.put(registration.getInstanceId(), UP);
  }

  /** Deletes {@code registration} from etcd. */
  @Override
  public void deregister(EtcdRegistration registration) {
    statuses.remove(registration.getInstanceId());
    registry.deregister(registration.info());
  }

  @Override
  public void close() {
    // the EtcdRegistry bean is closed by its context, after every deregistration
  }

  /** {@code UP} registers, {@code OUT_OF_SERVICE} deregisters; any other status is refused. */
  @Override
  public void setStatus(EtcdRegistration registration, String status) {
    if (UP.equalsIgnoreCase(status)) {
      register(registration);
    } else if (OUT_OF_SERVICE.equalsIgnoreCase(status)) {
      registry.deregister(registration.info());
      statuses.put(registration.getInstanceId(), OUT_OF_SERVICE);
    } else {
      throw new IllegalArgumentException(
          "status must be " + UP + " or " + OUT_OF_SERVICE + ", not " + status);
    }
  }

  /**
   * {@code UP}, {@code OUT_OF_SERVICE}, or null when this registry does not hold the registration.
   */
  @Override
  @SuppressWarnings("unchecked")
  public <T> T getStatus(EtcdRegistration registration) {
    return (T) statuses.get(registration.getInstanceId());
  }

  /** The registry this writes to. */
  public EtcdRegistry registry() {
    return registry;
  }
}
