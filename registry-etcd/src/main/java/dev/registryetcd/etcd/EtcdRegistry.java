package dev.registryetcd.etcd;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.internal.ClientHandle;
import dev.registryetcd.etcd.internal.RegistrationAddress;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.registry.Registrar;
import dev.registryetcd.etcd.internal.registry.Registration;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.Registry;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import io.etcd.jetcd.Client;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Registry} on etcd that writes exactly what the Kitex etcd extension writes, so Go and
 * Java clients find the instances it registers.
 *
 * <p>Each instance is the key {@code {prefix}/{service}/{address}} holding the Go extension's JSON
 * value. One registry serves any number of services and addresses and attaches all their keys to
 * one lease, kept alive by jetcd; {@link #close()} revokes it, so every key vanishes at once, and a
 * process that dies without closing disappears within the lease TTL.
 *
 * <p>The registry keeps its registrations in memory and puts them back when etcd loses them: when
 * the keep-alive reports the lease gone, when one of its keys is deleted behind its back (it
 * watches its services' keys), or when its check every {@link RetryConfig#observeDelay()} finds one
 * missing. It then grants a new lease and re-puts everything, retrying as its {@link RetryConfig}
 * says.
 *
 * <pre>{@code
 * try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(List.of("127.0.0.1:2379"))) {
 *   registry.register(Info.builder()
 *       .serviceName("echo")
 *       .address(new InetSocketAddress("10.0.0.7", 8888))
 *       .build());
 *   ...
 * }
 * }</pre>
 *
 * <p>Threads: the registry owns one daemon thread ({@code registry-etcd-registry-N}) that does all
 * its etcd work and keeps all its state (see {@code docs/architecture.md} for its parts); jetcd's
 * callbacks only hand events to it. {@code register} and {@code deregister} run as its next task
 * and wait for it, at most a few dial timeouts; when it has nothing to do, that task runs on the
 * caller's thread, holding the registry's state as the thread would. It owns the jetcd {@link
 * Client} unless one was handed to {@link Builder#client(Client)}.
 */
public final class EtcdRegistry implements Registry {
  private static final Logger log = LoggerFactory.getLogger(EtcdRegistry.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String prefix;
  private final Duration leaseTtl;
  private final RetryConfig retry;
  private final Function<String, String> env;
  private final ClientHandle client;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final Registrar registrar;
  private volatile SocketAddress fixedAddress;

  private EtcdRegistry(Builder builder) {
    Settings settings = builder.common.settings();
    this.prefix = settings.prefix();
    this.env = builder.env;
    this.leaseTtl = settings.leaseTtl(env);
    this.retry = builder.retry;
    this.fixedAddress = builder.fixedAddress;
    this.client = builder.common.connect(settings);
    String name = "registry-etcd-registry-" + IDS.incrementAndGet();
    this.registrar =
        new Registrar(
            client.client(),
            prefix,
            settings.dialTimeout(),
            leaseTtl,
            retry,
            builder.common.events(),
            name);
    log.debug("Created etcd registry {} with {}", name, settings);
  }

  /**
   * Creates a registry for {@code endpoints} ({@code host:port} or URLs) with Go's defaults changed
   * by {@code options}.
   */
  public static EtcdRegistry newEtcdRegistry(List<String> endpoints, Option... options) {
    return builder().endpoints(endpoints).options(options).build();
  }

  /**
   * Creates a registry that authenticates as {@code username}; the same as {@code
   * newEtcdRegistry(endpoints, Option.withAuthOpt(username, password))}, with the same defaults
   * (the Go extension's version forgets the prefix: this one does not).
   */
  public static EtcdRegistry newEtcdRegistryWithAuth(
      List<String> endpoints, String username, String password) {
    return builder().endpoints(endpoints).options(Option.withAuthOpt(username, password)).build();
  }

  /** Creates a registry that keeps its registrations as {@code retryConfig} says. */
  public static EtcdRegistry newEtcdRegistryWithRetry(
      List<String> endpoints, RetryConfig retryConfig, Option... options) {
    return builder().endpoints(endpoints).retryConfig(retryConfig).options(options).build();
  }

  /**
   * Registers every later registration of {@code registry} under {@code address} (host, port and
   * network) instead of its own address, as the Go extension's {@code SetFixedAddress}. Useful
   * behind NAT or a port mapping.
   *
   * @throws IllegalArgumentException when {@code registry} was not made by this class
   */
  public static void setFixedAddress(Registry registry, SocketAddress address) {
    if (!(registry instanceof EtcdRegistry etcd)) {
      throw new IllegalArgumentException(
          "setFixedAddress needs a registry made by EtcdRegistry, not "
              + (registry == null ? "null" : registry.getClass().getName()));
    }
    if (address != null) {
      RegistrationAddress.of(
          address, address, name -> null, java.util.Optional::empty); // validates
    }
    etcd.fixedAddress = address;
  }

  /**
   * A builder for JVM users: the same registry as the factories, with a shared client or
   * environment if wanted.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Registers {@code info} under its key, attached to this registry's lease, or replaces the value
   * registered for the same service and address.
   *
   * @throws IllegalArgumentException when {@code info} is null or its address cannot be registered;
   *     nothing is written
   * @throws RegistryException when etcd does not accept it within the dial timeout: a new address
   *     is then not registered, and a replaced one keeps its earlier value (the registry's next
   *     check puts etcd in line with that, whatever etcd stored)
   */
  @Override
  public void register(Info info) {
    registrar.register(openRegistrationOf(info));
  }

  /**
   * Registers {@code info} without waiting for etcd: the registry holds it at once and puts it as
   * soon as etcd answers, recovering as after a lost lease (an attempt every {@link
   * RetryConfig#retryDelay()}, and within about a second of etcd answering again). For applications
   * that must start while etcd is away; {@link #status()} says why it is not in etcd yet.
   *
   * @throws IllegalArgumentException when {@code info} is null or its address cannot be registered;
   *     nothing is held
   */
  public void registerEventually(Info info) {
    registrar.registerEventually(openRegistrationOf(info));
  }

  /**
   * Takes a registered instance out of rotation ({@link InstanceStatus#OUT_OF_SERVICE}) or puts it
   * back ({@link InstanceStatus#UP}). Out of service, its key is deleted while the registry keeps
   * holding it: neither lease recovery nor the periodic check puts it back, {@link #register} only
   * updates the value it will have, and {@link #deregister} still removes it. {@code UP} puts the
   * key back on the lease. Setting the status it already has does nothing.
   *
   * @throws IllegalStateException when {@code info} is not registered here
   * @throws RegistryException when etcd does not answer within the dial timeout: the status is set
   *     all the same, and the registry's next check makes etcd follow it
   */
  public void setStatus(Info info, InstanceStatus status) {
    Objects.requireNonNull(status, "status");
    Registration registration = openRegistrationOf(info);
    if (!registrar.setOutOfService(registration, status == InstanceStatus.OUT_OF_SERVICE)) {
      throw new IllegalStateException(
          "cannot set the status of "
              + info.serviceName()
              + " "
              + info.address()
              + ": it is not registered with this registry (register it first)");
    }
  }

  /**
   * The status of {@code info}'s registration, or null when it is not registered here. Reads
   * nothing from etcd.
   */
  public InstanceStatus statusOf(Info info) {
    Boolean outOfService = registrar.isOutOfService(openRegistrationOf(info));
    if (outOfService == null) {
      return null;
    }
    return outOfService ? InstanceStatus.OUT_OF_SERVICE : InstanceStatus.UP;
  }

  /**
   * Deletes the key registered for {@code info}'s service and address and stops keeping it
   * registered. The key is the one {@link #register} stored, even if the fixed address or the
   * {@code KITEX_*} variables changed since.
   *
   * @throws RegistryException when etcd does not answer within the dial timeout
   */
  @Override
  public void deregister(Info info) {
    registrar.deregister(openRegistrationOf(info));
  }

  /**
   * The etcd key {@code info} is registered under by this registry, after the address rules
   * (wildcard host, {@code KITEX_*} variables, fixed address). Reads nothing from etcd.
   *
   * @throws IllegalArgumentException when {@code info} cannot be registered
   */
  public String keyOf(Info info) {
    return registrationOf(info).key();
  }

  /**
   * {@code info} as resolvers will see it once registered, after the same address rules as {@link
   * #keyOf}: the network, the address as written in etcd, the weight and tags as registered (a
   * resolver hands out its default weight for a weight {@code <= 0}), and exactly what {@code
   * register} writes, through {@link InstanceCodec#encode}. Reads nothing from etcd; {@link
   * Instance#socketAddress()} gives the address to advertise elsewhere.
   *
   * @throws IllegalArgumentException when {@code info} cannot be registered
   */
  public Instance instanceOf(Info info) {
    if (info == null) {
      throw new IllegalArgumentException("info must not be null");
    }
    RegistrationAddress address =
        RegistrationAddress.of(
            info.address(), fixedAddress, env, RegistrationAddress::firstNonLoopbackIPv4);
    return new Instance(address.network(), address.address(), info.weight(), info.tags());
  }

  /**
   * The lease all keys of this registry are attached to, or 0 when none is held (for tests and
   * tools).
   */
  public long leaseId() {
    ensureOpen();
    return registrar.leaseId();
  }

  /**
   * What the registry holds right now: its registrations, its lease, and whether it is recovering
   * them. Answers at once, from what its thread last published, without asking etcd.
   */
  public RegistryStatus status() {
    return registrar.status();
  }

  /**
   * Revokes the lease (every key vanishes at once), stops its thread and closes the client it made.
   * When etcd does not confirm the revoke within twice the dial timeout, the keys stay until the
   * lease expires: this is logged at WARN, naming them, and {@link #status()} then says so in its
   * {@link RegistryStatus#problem() problem}.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      registrar.close();
    } finally {
      client.close();
    }
  }

  private void ensureOpen() {
    if (closing.get()) {
      throw new IllegalStateException("this etcd registry is closed");
    }
  }

  // ---- plumbing ----

  /**
   * {@link #registrationOf} for a call that needs the registry open: bad {@code info} is refused
   * first (IllegalArgumentException), then a closed registry (IllegalStateException).
   */
  private Registration openRegistrationOf(Info info) {
    Registration registration = registrationOf(info);
    ensureOpen();
    return registration;
  }

  /** What is written for {@code info}: exactly the bytes of {@link #instanceOf}. */
  private Registration registrationOf(Info info) {
    Instance instance = instanceOf(info);
    return new Registration(
        info.serviceName(),
        ServiceKeys.instanceKey(prefix, info.serviceName(), instance.address()),
        InstanceCodec.encode(instance),
        info.serviceName() + " " + info.address());
  }

  @Override
  public String toString() {
    return "EtcdRegistry{prefix=" + prefix + ", leaseTtl=" + leaseTtl + ", " + retry + "}";
  }

  /** Builds an {@link EtcdRegistry}. Not thread-safe. */
  public static final class Builder {
    private final BuilderSettings common = new BuilderSettings();
    private RetryConfig retry = RetryConfig.newRetryConfig();
    private SocketAddress fixedAddress;
    private Function<String, String> env = System::getenv;

    private Builder() {}

    /** etcd endpoints, {@code host:port} or {@code http(s)://host:port}. */
    public Builder endpoints(List<String> endpoints) {
      common.endpoints(endpoints);
      return this;
    }

    public Builder options(Option... options) {
      common.options(options);
      return this;
    }

    public Builder retryConfig(RetryConfig retry) {
      this.retry = Objects.requireNonNull(retry, "retryConfig");
      return this;
    }

    /** See {@link EtcdRegistry#setFixedAddress}. */
    public Builder fixedAddress(SocketAddress fixedAddress) {
      this.fixedAddress = fixedAddress;
      return this;
    }

    /**
     * Shares a jetcd client (for example with a resolver) instead of making one. The registry does
     * not close it; endpoint, TLS and auth options then have no effect.
     */
    public Builder client(Client client) {
      common.client(client);
      return this;
    }

    /** Where {@code KITEX_*} variables are read; {@code System::getenv} by default. */
    public Builder environment(Function<String, String> env) {
      this.env = Objects.requireNonNull(env, "environment");
      return this;
    }

    /**
     * Who hears about lease recoveries, keep-alive failures and the like, e.g. {@code
     * dev.registryetcd.metrics.EtcdMetrics}.
     */
    public Builder events(EtcdEvents events) {
      common.events(events);
      return this;
    }

    /**
     * Makes the registry. Connects lazily: etcd need not be up yet.
     *
     * @throws IllegalArgumentException for bad endpoints, options or environment, or TLS files that
     *     do not load
     */
    public EtcdRegistry build() {
      return new EtcdRegistry(this);
    }
  }
}
