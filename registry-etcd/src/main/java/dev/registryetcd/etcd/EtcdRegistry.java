package dev.registryetcd.etcd;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.InstanceInfo;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.internal.ClientChannel;
import dev.registryetcd.etcd.internal.ClientSettings;
import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.GuardedEvents;
import dev.registryetcd.etcd.internal.RegistrationAddress;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.registry.KeyWriter;
import dev.registryetcd.etcd.internal.registry.LeaseKeeper;
import dev.registryetcd.etcd.internal.registry.LeaseRecovery;
import dev.registryetcd.etcd.internal.registry.LoggedRecovery;
import dev.registryetcd.etcd.internal.registry.OwnKeyWatch;
import dev.registryetcd.etcd.internal.registry.Reconciler;
import dev.registryetcd.etcd.internal.registry.Registration;
import dev.registryetcd.etcd.internal.registry.RegistrationTable;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.Registry;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
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
 * <p>Threads: the registry owns one daemon thread ({@code registry-etcd-registry-N}, a {@link
 * SerialLoop}) that does all its etcd work and keeps all its state, held by its parts: the {@link
 * RegistrationTable}, the {@link LeaseKeeper} and its {@link LeaseRecovery}, the {@link
 * OwnKeyWatch} and the {@link Reconciler}. jetcd's callbacks only hand events to it. {@code
 * register} and {@code deregister} wait for it, at most a few dial timeouts. It owns the jetcd
 * {@link Client} unless one was handed to {@link Builder#client(Client)}.
 */
public final class EtcdRegistry implements Registry {
  private static final Logger log = LoggerFactory.getLogger(EtcdRegistry.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String prefix;
  private final Duration timeout;
  private final Duration leaseTtl;
  private final RetryConfig retry;
  private final Function<String, String> env;
  private final Client client;
  private final boolean ownsClient;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile SocketAddress fixedAddress;

  /** Published by the loop after each of its tasks, read anywhere. */
  private volatile RegistryStatus status = new RegistryStatus(0, 0, false, 0, 0, null, false);

  // The parts; their state is owned by the loop thread.
  private final SerialLoop loop;
  private final GuardedEvents events;
  private final RegistrationTable table = new RegistrationTable();
  private final KeyWriter writer;
  private final LeaseKeeper lease;
  private final LeaseRecovery recovery;
  private final OwnKeyWatch ownKeys;
  private final Reconciler reconciler;
  private long keepAliveFailures;
  private String closeProblem;

  private EtcdRegistry(Builder builder) {
    Settings settings = new Settings(builder.endpoints, builder.options.toArray(new Option[0]));
    ClientSettings clientSettings = settings.clientSettings();
    this.prefix = settings.prefix();
    this.timeout = settings.dialTimeout();
    this.env = builder.env;
    this.leaseTtl = settings.leaseTtl(env);
    this.retry = builder.retry;
    this.fixedAddress = builder.fixedAddress;
    if (builder.client != null) {
      this.client = builder.client;
      this.ownsClient = false;
    } else {
      clientSettings.endpointUris(); // refuses bad endpoints before anything starts
      this.client = clientSettings.newClient();
      this.ownsClient = true;
    }
    String name = "registry-etcd-registry-" + IDS.incrementAndGet();
    Backoff backoff = Backoff.jittered();
    this.loop = new SerialLoop(name, this::publishStatus);
    this.events = new GuardedEvents(builder.events, "registry");
    this.writer = new KeyWriter(client, prefix, timeout, table);
    this.lease = new LeaseKeeper(client, leaseTtl, timeout, loop);
    this.recovery =
        new LeaseRecovery(
            retry, loop, backoff, this::recoverLease, this::etcdAnswers, new LoggedRecovery());
    this.ownKeys = new OwnKeyWatch(client, prefix, loop, backoff, retry.retryDelay(), events);
    this.reconciler =
        new Reconciler(
            client, timeout, table, writer, lease, recovery, ownKeys, events, this::leaseLost);
    lease.listener(new KeepAliveFailures());
    ownKeys.handler(
        new OwnKeyWatch.Handler() {
          @Override
          public void deleted(List<OwnKeyWatch.Deletion> deletions) {
            reconciler.deleted(deletions);
          }

          @Override
          public boolean resync(String service) {
            return reconciler.resync(service);
          }
        });
    loop.every(retry.observeDelay(), reconciler::observe);
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
    Registration registration = registrationOf(info);
    onLoop(
        () -> {
          doRegister(registration);
          return null;
        },
        "register " + registration.key());
  }

  /**
   * Deletes the key of {@code info}'s service and address and stops keeping it registered.
   *
   * @throws RegistryException when etcd does not answer within the dial timeout
   */
  @Override
  public void deregister(Info info) {
    Registration registration = registrationOf(info);
    onLoop(
        () -> {
          doDeregister(registration);
          return null;
        },
        "deregister " + registration.key());
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
   * resolver hands out its default weight for a weight {@code <= 0}). Reads nothing from etcd;
   * {@link Instance#socketAddress()} gives the address to advertise elsewhere.
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
    return onLoop(lease::leaseId, "read lease");
  }

  /**
   * What the registry holds right now: its registrations, its lease, and whether it is recovering
   * them. Answers at once, from what its thread last published, without asking etcd.
   */
  public RegistryStatus status() {
    return status;
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
      if (!loop.close(this::shutdownOnLoop, timeout.multipliedBy(2))) {
        String problem =
            "closing took longer than "
                + timeout.multipliedBy(2)
                + ": the registry's keys stay in etcd until lease "
                + hex(status.leaseId())
                + " expires, within "
                + leaseTtl;
        log.warn("Could not remove the etcd registrations: {}", problem);
        RegistryStatus last = status;
        status =
            new RegistryStatus(
                0,
                last.leaseId(),
                false,
                last.leaseRecoveries(),
                last.keepAliveFailures(),
                problem,
                true);
      }
    } finally {
      if (ownsClient) {
        client.close();
      }
    }
  }

  // ---- work done on the loop thread ----

  private void doRegister(Registration registration) {
    ensureOpen();
    Registration previous = table.hold(registration);
    try {
      if (recovery.isRecovering()) {
        // The lease is lost: putting this one alone would need a lease of its own. Recover now,
        // with it.
        throwIfFailed(recovery.attemptNow());
      } else {
        try {
          long leaseId = lease.ensure();
          recovery.leased();
          long revision = writer.put(registration, leaseId);
          ownKeys.watch(registration.service(), revision + 1);
        } catch (RegistryException e) {
          if (!EtcdCalls.isLeaseNotFound(e)) {
            throw e;
          }
          throwIfFailed(leaseLost("etcd no longer knows lease " + hex(lease.leaseId())));
        }
      }
    } catch (RuntimeException e) {
      table.restore(registration.key(), previous);
      table.unsettle(registration.key());
      throw e;
    }
    table.settle(registration.key());
    if (previous == null) {
      log.info("Registered {} in etcd under lease {}", registration.key(), hex(lease.leaseId()));
    } else {
      log.debug("Updated {} in etcd", registration.key());
    }
  }

  private static void throwIfFailed(RuntimeException failure) {
    if (failure != null) {
      throw failure;
    }
  }

  private void doDeregister(Registration registration) {
    ensureOpen();
    table.release(registration.key());
    try {
      writer.delete(registration.key());
      table.settle(registration.key());
    } catch (RegistryException e) {
      // no longer registered here, but maybe still in etcd on our lease: the next observation
      // deletes it
      table.unsettle(registration.key());
      throw e;
    }
    if (!table.holdsService(registration.service())) {
      ownKeys.unwatch(registration.service());
    }
    log.info("Deregistered {} from etcd", registration.key());
  }

  /** Starts over with a new lease; returns the failure of the first attempt, or {@code null}. */
  private RuntimeException leaseLost(String reason) {
    if (recovery.isClosed() || recovery.isRecovering()) {
      return null;
    }
    lease.drop();
    return recovery.lost(reason, table.size());
  }

  /**
   * One recovery attempt: grants a new lease and puts every registration on it; on failure leaves
   * no new lease behind.
   */
  private LeaseRecovery.Recovered recoverLease() {
    LeaseKeeper.Lease fresh = lease.grant();
    try {
      long revision = 0;
      for (Registration registration : table.all()) {
        revision = writer.put(registration, fresh.id());
      }
      lease.adopt(fresh);
      ownKeys.restart(table.services(), revision + 1);
      int recovered = table.size();
      events.emit(e -> e.leaseRecovered(recovered));
      return new LeaseRecovery.Recovered(fresh.id(), recovered);
    } catch (RuntimeException e) {
      lease.discard(fresh);
      throw e;
    }
  }

  /**
   * Whether etcd answers a linearizable read now, within the probe interval. Members that refused
   * connections are dialled again first rather than after gRPC's backoff.
   */
  private boolean etcdAnswers() {
    ClientChannel.reconnectNow(client);
    try {
      EtcdCalls.await(
          client
              .getKVClient()
              .get(
                  ByteSequence.from(prefix, StandardCharsets.UTF_8),
                  GetOption.builder().withCountOnly(true).withLimit(1).build()),
          LeaseRecovery.PROBE_INTERVAL,
          "probe etcd");
      return true;
    } catch (RegistryException e) {
      log.debug("etcd does not answer yet: {}", e.getMessage());
      return false;
    }
  }

  private void shutdownOnLoop() {
    recovery.close();
    ownKeys.close();
    if (lease.holds()) {
      long id = lease.leaseId();
      try {
        lease.revoke();
        log.info("Revoked lease {}: {} registration(s) removed from etcd", hex(id), table.size());
      } catch (RegistryException e) {
        closeProblem =
            "could not remove "
                + keysNamed(table.all())
                + " from etcd ("
                + e.getMessage()
                + "): they expire with lease "
                + hex(id)
                + " within "
                + leaseTtl;
        log.warn("Closing the etcd registry: {}", closeProblem);
      }
    }
    table.clear();
  }

  /** The keys of {@code registrations}, at most ten of them named. */
  private static String keysNamed(List<Registration> registrations) {
    List<String> keys = registrations.stream().map(Registration::key).toList();
    return keys.size() <= 10
        ? String.join(", ", keys)
        : String.join(", ", keys.subList(0, 10)) + " and " + (keys.size() - 10) + " more key(s)";
  }

  private void ensureOpen() {
    if (recovery.isClosed()) {
      throw new IllegalStateException("this etcd registry is closed");
    }
  }

  // ---- plumbing ----

  private Registration registrationOf(Info info) {
    if (info == null) {
      throw new IllegalArgumentException("info must not be null");
    }
    RegistrationAddress address =
        RegistrationAddress.of(
            info.address(), fixedAddress, env, RegistrationAddress::firstNonLoopbackIPv4);
    byte[] value =
        InstanceCodec.encode(
            new InstanceInfo(address.network(), address.address(), info.weight(), info.tags()));
    return new Registration(
        info.serviceName(),
        ServiceKeys.instanceKey(prefix, info.serviceName(), address.address()),
        value);
  }

  /**
   * Runs {@code work} on the loop and waits a bounded time: a few requests' worth of dial timeouts.
   */
  private <T> T onLoop(Callable<T> work, String what) {
    if (closing.get()) {
      throw new IllegalStateException("this etcd registry is closed");
    }
    try {
      return loop.call(work, timeout.multipliedBy(3), what);
    } catch (IllegalStateException closed) {
      throw new IllegalStateException("this etcd registry is closed", closed);
    }
  }

  private void publishStatus() {
    status =
        new RegistryStatus(
            table.size(),
            lease.leaseId(),
            lease.holds() && !recovery.isRecovering(),
            recovery.recoveries(),
            keepAliveFailures,
            recovery.isClosed() ? closeProblem : recovery.problem(),
            recovery.isClosed());
  }

  private static String hex(long id) {
    return Long.toHexString(id);
  }

  @Override
  public String toString() {
    return "EtcdRegistry{prefix=" + prefix + ", leaseTtl=" + leaseTtl + ", " + retry + "}";
  }

  /** Counts keep-alive failures, tells the observer, and recovers when the lease is gone. */
  private final class KeepAliveFailures implements LeaseKeeper.Listener {
    @Override
    public void renewalFailed(long leaseId, EtcdEvents.KeepAliveFailure cause, Throwable error) {
      counted(cause);
      if (error != null) {
        log.debug(
            "Keep-alive of lease {} failed ({}); sending it again", hex(leaseId), error.toString());
      }
    }

    @Override
    public void leaseNotFound(long leaseId) {
      counted(EtcdEvents.KeepAliveFailure.LEASE_NOT_FOUND);
      leaseLost("etcd no longer knows lease " + hex(leaseId));
    }

    @Override
    public void leaseExpired(long leaseId) {
      leaseLost("no keep-alive of lease " + hex(leaseId) + " was answered within its TTL");
    }

    private void counted(EtcdEvents.KeepAliveFailure failure) {
      keepAliveFailures++;
      events.emit(e -> e.keepAliveFailed(failure));
    }
  }

  /** Builds an {@link EtcdRegistry}. Not thread-safe. */
  public static final class Builder {
    private List<String> endpoints = List.of();
    private final List<Option> options = new ArrayList<>();
    private RetryConfig retry = RetryConfig.newRetryConfig();
    private SocketAddress fixedAddress;
    private Client client;
    private Function<String, String> env = System::getenv;
    private EtcdEvents events = EtcdEvents.NONE;

    private Builder() {}

    /** etcd endpoints, {@code host:port} or {@code http(s)://host:port}. */
    public Builder endpoints(List<String> endpoints) {
      this.endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
      return this;
    }

    public Builder options(Option... options) {
      this.options.addAll(Arrays.asList(options));
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
      this.client = Objects.requireNonNull(client, "client");
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
      this.events = Objects.requireNonNull(events, "events");
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
