package dev.registryetcd.etcd;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.InstanceInfo;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.internal.ClientSettings;
import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.RegistrationAddress;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.Registry;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.support.CloseableClient;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
 * its etcd work and keeps all its state; jetcd's callbacks only hand events to it. {@code register}
 * and {@code deregister} wait for it, at most a few dial timeouts. It owns the jetcd {@link Client}
 * unless one was handed to {@link Builder#client(Client)}.
 */
public final class EtcdRegistry implements Registry {
  private static final Logger log = LoggerFactory.getLogger(EtcdRegistry.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  /**
   * Up to this many registrations, one check asks for all keys on the lease (about 60 bytes each).
   */
  private static final int ATTACHED_KEYS_LIMIT = 20_000;

  private final String prefix;
  private final Duration timeout;
  private final Duration leaseTtl;
  private final RetryConfig retry;
  private final Function<String, String> env;
  private final Client client;
  private final boolean ownsClient;
  private final ScheduledExecutorService loop;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile SocketAddress fixedAddress;
  private final EtcdEvents events;

  /** Published by the loop after each of its tasks, read anywhere. */
  private volatile RegistryStatus status = new RegistryStatus(0, 0, false, 0, 0, null, false);

  // Owned by the loop thread: read and written only there.
  private final Map<String, Registration> registrations = new LinkedHashMap<>();
  private final Map<String, Watch.Watcher> ownKeyWatches = new HashMap<>();

  /**
   * The revision of the last put of each registered key, to tell our own older deletions from
   * others'.
   */
  private final Map<String, Long> putRevisions = new HashMap<>();

  /**
   * Keys whose last write failed: etcd may hold them anyway (on our lease), or an older value. The
   * next observation makes etcd hold what {@link #registrations} says.
   */
  private final Set<String> unsettled = new HashSet<>();

  /** Services whose watch ended, to check and watch again. */
  private final Set<String> unwatched = new LinkedHashSet<>();

  private ScheduledFuture<?> resyncTask;
  private int resyncFailures;
  private Lease lease;
  private boolean recovering;
  private int failedAttempts;
  private boolean closed;
  private ScheduledFuture<?> recoveryTask;
  private long leaseRecoveries;
  private long keepAliveFailures;
  private String problem;

  private EtcdRegistry(Builder builder) {
    Settings settings = new Settings(builder.endpoints, builder.options.toArray(new Option[0]));
    ClientSettings clientSettings = settings.clientSettings();
    this.prefix = settings.prefix();
    this.timeout = settings.dialTimeout();
    this.env = builder.env;
    this.leaseTtl = settings.leaseTtl(env);
    this.retry = builder.retry;
    this.fixedAddress = builder.fixedAddress;
    this.events = builder.events;
    if (builder.client != null) {
      this.client = builder.client;
      this.ownsClient = false;
    } else {
      clientSettings.endpointUris(); // refuses bad endpoints before anything starts
      this.client = clientSettings.newClient();
      this.ownsClient = true;
    }
    String name = "registry-etcd-registry-" + IDS.incrementAndGet();
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, name);
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    this.loop = executor;
    // publishing() catches what observe throws: a periodic task that throws is never run again
    loop.scheduleWithFixedDelay(
        publishing(this::observe),
        retry.observeDelay().toNanos(),
        retry.observeDelay().toNanos(),
        TimeUnit.NANOSECONDS);
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
        "register " + registration.key);
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
        "deregister " + registration.key);
  }

  /**
   * The etcd key {@code info} is registered under by this registry, after the address rules
   * (wildcard host, {@code KITEX_*} variables, fixed address). Reads nothing from etcd.
   *
   * @throws IllegalArgumentException when {@code info} cannot be registered
   */
  public String keyOf(Info info) {
    return registrationOf(info).key;
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
    return onLoop(() -> lease == null ? 0L : lease.id, "read lease");
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
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    try {
      Future<?> shutdown = loop.submit(publishing(this::shutdownOnLoop));
      shutdown.get(timeout.toNanos() * 2, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn(
          "Closing the etcd registry took longer than {}; its keys expire with their lease",
          timeout.multipliedBy(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RejectedExecutionException e) {
      log.warn("Closing the etcd registry failed: {}", String.valueOf(e.getCause()));
    } finally {
      loop.shutdownNow();
      if (ownsClient) {
        client.close();
      }
      try {
        loop.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- work done on the loop thread ----

  private void doRegister(Registration registration) {
    ensureOpen();
    Registration previous = registrations.put(registration.key, registration);
    try {
      if (recovering) {
        // The lease is lost: putting this one alone would need a lease of its own. Recover now,
        // with it.
        throwIfFailed(recoverNow());
      } else {
        try {
          watchOwnKeys(registration.service, put(registration, ensureLease()) + 1);
        } catch (RegistryException e) {
          if (!EtcdCalls.isLeaseNotFound(e)) {
            throw e;
          }
          throwIfFailed(leaseLost("etcd no longer knows lease " + hex(lease.id)));
        }
      }
    } catch (RuntimeException e) {
      if (previous == null) {
        registrations.remove(registration.key);
      } else {
        registrations.put(registration.key, previous);
      }
      unsettled.add(registration.key);
      throw e;
    }
    unsettled.remove(registration.key);
    if (previous == null) {
      log.info("Registered {} in etcd under lease {}", registration.key, hex(lease.id));
    } else {
      log.debug("Updated {} in etcd", registration.key);
    }
  }

  private static void throwIfFailed(RuntimeException failure) {
    if (failure != null) {
      throw failure;
    }
  }

  private void doDeregister(Registration registration) {
    ensureOpen();
    registrations.remove(registration.key);
    putRevisions.remove(registration.key);
    try {
      EtcdCalls.awaitRetrying(
          () -> client.getKVClient().delete(bytes(registration.key)),
          timeout,
          "delete " + registration.key);
      unsettled.remove(registration.key);
    } catch (RegistryException e) {
      // no longer registered here, but maybe still in etcd on our lease: the next observation
      // deletes it
      unsettled.add(registration.key);
      throw e;
    }
    if (registrations.values().stream().noneMatch(r -> r.service.equals(registration.service))) {
      Watch.Watcher watcher = ownKeyWatches.remove(registration.service);
      if (watcher != null) {
        watcher.close();
      }
    }
    log.info("Deregistered {} from etcd", registration.key);
  }

  private Lease ensureLease() {
    if (lease == null) {
      lease = grantLease();
    }
    return lease;
  }

  private Lease grantLease() {
    long id =
        EtcdCalls.awaitRetrying(
                () -> client.getLeaseClient().grant(leaseTtl.getSeconds()),
                timeout,
                "grant a lease of " + leaseTtl)
            .getID();
    Lease granted = new Lease(id);
    granted.keepAlive = client.getLeaseClient().keepAlive(id, new KeepAliveObserver(granted));
    log.debug("Granted lease {} with TTL {}", hex(id), leaseTtl);
    return granted;
  }

  private void dropLease() {
    if (lease != null) {
      lease.keepAlive.close();
      lease = null;
    }
  }

  private long put(Registration registration, Lease to) {
    long revision =
        EtcdCalls.awaitRetrying(
                () ->
                    client
                        .getKVClient()
                        .put(
                            bytes(registration.key),
                            ByteSequence.from(registration.value),
                            PutOption.builder().withLeaseId(to.id).build()),
                timeout,
                "put " + registration.key)
            .getHeader()
            .getRevision();
    putRevisions.put(registration.key, revision);
    return revision;
  }

  /**
   * Watches deletions under a service this registry registers, so a key deleted by someone else
   * comes back.
   */
  private void watchOwnKeys(String service, long fromRevision) {
    if (ownKeyWatches.containsKey(service)) {
      return;
    }
    WatchOption option =
        WatchOption.builder().isPrefix(true).withNoPut(true).withRevision(fromRevision).build();
    Watch.Watcher[] holder = new Watch.Watcher[1];
    Watch.Listener listener =
        Watch.listener(
            response -> execute(() -> onOwnKeysDeleted(deletedKeys(response))),
            error -> execute(() -> onOwnKeyWatchFailed(service, holder[0], error)));
    holder[0] =
        client
            .getWatchClient()
            .watch(bytes(ServiceKeys.servicePrefix(prefix, service)), option, listener);
    ownKeyWatches.put(service, holder[0]);
  }

  private static List<Deletion> deletedKeys(WatchResponse response) {
    List<Deletion> deletions = new ArrayList<>();
    for (WatchEvent event : response.getEvents()) {
      if (event.getEventType() == WatchEvent.EventType.DELETE) {
        KeyValue kv = event.getKeyValue();
        deletions.add(
            new Deletion(kv.getKey().toString(StandardCharsets.UTF_8), kv.getModRevision()));
      }
    }
    return deletions;
  }

  /** A key deleted from etcd at {@code revision}. */
  private record Deletion(String key, long revision) {}

  private void onOwnKeysDeleted(List<Deletion> deletions) {
    if (closed || recovering || lease == null) {
      return;
    }
    for (Deletion deletion : deletions) {
      String key = deletion.key;
      Registration registration = registrations.get(key);
      if (registration == null) {
        continue; // deregistered by us
      }
      Long putAt = putRevisions.get(key);
      if (putAt != null && deletion.revision < putAt) {
        continue; // a deletion older than our last put: our own deregister before registering it
        // again
      }
      log.warn("{} was deleted from etcd behind this registry's back; putting it back", key);
      try {
        put(registration, lease);
        emit(EtcdEvents::keyRestored);
      } catch (RegistryException e) {
        leaseLost(
            EtcdCalls.isLeaseNotFound(e)
                ? "etcd no longer knows lease " + hex(lease.id)
                : "putting back " + key + " failed: " + e.getMessage());
        return;
      }
    }
  }

  private void onOwnKeyWatchFailed(String service, Watch.Watcher watcher, Throwable error) {
    if (closed || ownKeyWatches.get(service) != watcher) {
      return;
    }
    log.debug(
        "Watch of {}'s keys failed ({}); checking them and watching again",
        service,
        error.toString());
    EtcdEvents.WatchEnd cause = EtcdCalls.watchEnd(error);
    emit(e -> e.watchRestarted(EtcdEvents.Source.REGISTRY, cause));
    ownKeyWatches.remove(service);
    watcher.close();
    unwatched.add(service);
    scheduleResync(jitter(Duration.ofMillis(500)));
  }

  private void scheduleResync(Duration delay) {
    if (resyncTask == null) {
      resyncTask = scheduleOnLoop(this::resyncUnwatched, delay);
    }
  }

  /**
   * Checks and watches again every service whose watch ended. One task for all of them, backing off
   * while etcd fails, so an outage does not turn into a request storm from registries with many
   * services.
   */
  private void resyncUnwatched() {
    resyncTask = null;
    for (String service : List.copyOf(unwatched)) {
      if (!resync(service)) {
        resyncFailures++;
        long backoff = Math.min(retry.retryDelay().toMillis(), 100L << Math.min(resyncFailures, 6));
        scheduleResync(jitter(Duration.ofMillis(backoff)));
        return;
      }
      unwatched.remove(service);
    }
    resyncFailures = 0;
  }

  /**
   * Checks the service's keys in etcd, puts back any that are missing, and watches them if not yet
   * watched. Returns false when etcd could not be read.
   */
  private boolean resync(String service) {
    if (closed || recovering || lease == null) {
      return true; // recovery puts everything back and watches again
    }
    List<Registration> mine =
        registrations.values().stream().filter(r -> r.service.equals(service)).toList();
    if (mine.isEmpty()) {
      return true;
    }
    try {
      var response =
          EtcdCalls.await(
              client
                  .getKVClient()
                  .get(
                      bytes(ServiceKeys.servicePrefix(prefix, service)),
                      GetOption.builder().isPrefix(true).build()),
              timeout,
              "read " + service);
      Map<String, KeyValue> found = new HashMap<>();
      for (KeyValue kv : response.getKvs()) {
        found.put(kv.getKey().toString(StandardCharsets.UTF_8), kv);
      }
      long revision = response.getHeader().getRevision();
      for (Registration registration : mine) {
        KeyValue kv = found.get(registration.key);
        if (kv == null
            || kv.getLease() != lease.id
            || !Arrays.equals(kv.getValue().getBytes(), registration.value)) {
          log.warn(
              "{} is missing from etcd (or not on lease {}, or not its value); putting it back",
              registration.key,
              hex(lease.id));
          revision = put(registration, lease);
          emit(EtcdEvents::keyRestored);
        }
      }
      watchOwnKeys(service, revision + 1);
      return true;
    } catch (RegistryException e) {
      if (EtcdCalls.isLeaseNotFound(e)) {
        leaseLost("etcd no longer knows lease " + hex(lease.id));
        return true;
      }
      log.debug("Checking {} failed ({}); trying again", service, e.getMessage());
      return false;
    }
  }

  /**
   * Every observe delay, as the Go extension: is the lease alive, are all keys there? One request
   * answers both: the lease's TTL with the keys attached to it. A registration whose key is not on
   * the lease (deleted, expired, or overwritten without it) is put back. Past {@link
   * #ATTACHED_KEYS_LIMIT} registrations, whose key list would strain a gRPC message, each service
   * is read instead.
   */
  private void observe() {
    if (closed || recovering || lease == null) {
      return;
    }
    boolean listKeys = registrations.size() <= ATTACHED_KEYS_LIMIT;
    Set<String> attached = new HashSet<>();
    try {
      LeaseTimeToLiveResponse ttl =
          EtcdCalls.await(
              client
                  .getLeaseClient()
                  .timeToLive(
                      lease.id,
                      listKeys
                          ? LeaseOption.newBuilder().withAttachedKeys().build()
                          : LeaseOption.DEFAULT),
              timeout,
              "check lease " + hex(lease.id));
      if (ttl.getTTL() <= 0) {
        leaseLost("lease " + hex(lease.id) + " expired");
        return;
      }
      for (ByteSequence key : ttl.getKeys()) {
        attached.add(key.toString(StandardCharsets.UTF_8));
      }
    } catch (RegistryException e) {
      log.debug("Observing the registrations failed: {}", e.getMessage());
      return;
    }
    if (listKeys) {
      putBackMissing(attached);
    } else {
      registrations.values().stream().map(r -> r.service).distinct().toList().forEach(this::resync);
    }
    settleUnsettled();
  }

  /** Puts back every registration whose key is not among those {@code attached} to the lease. */
  private void putBackMissing(Set<String> attached) {
    for (Registration registration : List.copyOf(registrations.values())) {
      if (closed || recovering || lease == null) {
        return;
      }
      if (attached.contains(registration.key) || unsettled.contains(registration.key)) {
        continue; // an unsettled key is compared with etcd's value next
      }
      log.warn(
          "{} is missing from etcd (or no longer on lease {}); putting it back",
          registration.key,
          hex(lease.id));
      try {
        put(registration, lease);
        emit(EtcdEvents::keyRestored);
      } catch (RegistryException e) {
        if (EtcdCalls.isLeaseNotFound(e)) {
          leaseLost("etcd no longer knows lease " + hex(lease.id));
        } else {
          log.debug(
              "Putting back {} failed ({}); trying again at the next check",
              registration.key,
              e.getMessage());
        }
        return;
      }
    }
  }

  /**
   * Makes etcd hold what {@link #registrations} says for each key whose last write failed: deletes
   * one etcd stored on this lease although its register call failed, puts back the registered value
   * over one a failed replacement may have left.
   */
  private void settleUnsettled() {
    for (String key : List.copyOf(unsettled)) {
      if (closed || recovering || lease == null) {
        return;
      }
      try {
        var kvs =
            EtcdCalls.await(client.getKVClient().get(bytes(key)), timeout, "read " + key).getKvs();
        KeyValue stored = kvs.isEmpty() ? null : kvs.get(0);
        Registration registration = registrations.get(key);
        if (registration == null) {
          if (stored != null && stored.getLease() == lease.id) {
            EtcdCalls.await(client.getKVClient().delete(bytes(key)), timeout, "delete " + key);
            log.info("Removed {}: etcd stored it although its register call failed", key);
          }
        } else if (stored == null
            || stored.getLease() != lease.id
            || !Arrays.equals(stored.getValue().getBytes(), registration.value)) {
          put(registration, lease);
          log.info("Put {} back to its registered value after a failed write", key);
        }
        unsettled.remove(key);
      } catch (RegistryException e) {
        if (EtcdCalls.isLeaseNotFound(e)) {
          leaseLost("etcd no longer knows lease " + hex(lease.id));
        } else {
          log.debug("Checking {} failed ({}); trying again later", key, e.getMessage());
        }
        return;
      }
    }
  }

  /** Starts over with a new lease; returns the failure of the first attempt, or {@code null}. */
  private RuntimeException leaseLost(String reason) {
    if (closed || recovering) {
      return null;
    }
    recovering = true;
    failedAttempts = 0;
    problem = "recovering: " + reason;
    log.warn(
        "Lost the etcd registrations ({}); re-registering {} instance(s)",
        reason,
        registrations.size());
    dropLease();
    return recoverNow();
  }

  /**
   * One recovery attempt now, instead of the scheduled one; returns its failure or {@code null}.
   */
  private RuntimeException recoverNow() {
    if (recoveryTask != null) {
      recoveryTask.cancel(false);
      recoveryTask = null;
    }
    RuntimeException failure = tryRecover();
    if (failure != null) {
      scheduleNextAttempt(failure);
    }
    return failure;
  }

  private void attemptRecovery() {
    recoveryTask = null;
    RuntimeException failure = tryRecover();
    if (failure != null) {
      scheduleNextAttempt(failure);
    }
  }

  /**
   * Grants a new lease and puts every registration on it; on failure leaves no new lease behind.
   */
  private RuntimeException tryRecover() {
    if (closed || !recovering) {
      return null;
    }
    Lease fresh = null;
    try {
      fresh = grantLease();
      long revision = 0;
      for (Registration registration : registrations.values()) {
        revision = put(registration, fresh);
      }
      lease = fresh;
      for (Watch.Watcher watcher : ownKeyWatches.values()) {
        watcher.close();
      }
      ownKeyWatches.clear();
      unwatched.clear();
      for (Registration registration : registrations.values()) {
        watchOwnKeys(registration.service, revision + 1);
      }
      recovering = false;
      problem = null;
      leaseRecoveries++;
      int recovered = registrations.size();
      emit(e -> e.leaseRecovered(recovered));
      log.info(
          "Re-registered {} instance(s) in etcd under lease {} after {} failed attempt(s)",
          registrations.size(),
          hex(fresh.id),
          failedAttempts);
      failedAttempts = 0;
      return null;
    } catch (RuntimeException e) {
      if (fresh != null) {
        fresh.keepAlive.close();
        client.getLeaseClient().revoke(fresh.id); // best effort, not awaited: it expires anyway
      }
      return e;
    }
  }

  /**
   * Next attempt after RetryDelay; once MaxAttemptTimes is reached, says so once and tries every
   * ObserveDelay.
   */
  private void scheduleNextAttempt(RuntimeException failure) {
    failedAttempts++;
    problem =
        "re-registering failed " + failedAttempts + " time(s) in a row: " + failure.getMessage();
    if (retry.exhaustedBy(failedAttempts)) {
      if (failedAttempts == retry.maxAttemptTimes()) {
        log.error(
            "Re-registering in etcd failed {} times in a row ({}); checking again every {}",
            failedAttempts,
            failure.getMessage(),
            retry.observeDelay());
      }
      recoveryTask = scheduleOnLoop(this::attemptRecovery, retry.observeDelay());
    } else {
      log.warn(
          "Re-registering in etcd failed (attempt {}{}): {}; retrying in {}",
          failedAttempts,
          retry.maxAttemptTimes() == 0 ? "" : " of " + retry.maxAttemptTimes(),
          failure.getMessage(),
          retry.retryDelay());
      recoveryTask = scheduleOnLoop(this::attemptRecovery, jitter(retry.retryDelay()));
    }
  }

  private void shutdownOnLoop() {
    closed = true;
    if (recoveryTask != null) {
      recoveryTask.cancel(false);
    }
    if (resyncTask != null) {
      resyncTask.cancel(false);
    }
    for (Watch.Watcher watcher : ownKeyWatches.values()) {
      watcher.close();
    }
    ownKeyWatches.clear();
    if (lease != null) {
      lease.keepAlive.close();
      try {
        EtcdCalls.await(
            client.getLeaseClient().revoke(lease.id), timeout, "revoke lease " + hex(lease.id));
        log.info(
            "Revoked lease {}: {} registration(s) removed from etcd",
            hex(lease.id),
            registrations.size());
      } catch (RegistryException e) {
        log.warn(
            "Could not revoke lease {} ({}); its {} key(s) expire within {}",
            hex(lease.id),
            e.getMessage(),
            registrations.size(),
            leaseTtl);
      }
      lease = null;
    }
    registrations.clear();
    putRevisions.clear();
  }

  private void ensureOpen() {
    if (closed) {
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
    Future<T> result;
    try {
      result =
          loop.submit(
              () -> {
                try {
                  return work.call();
                } finally {
                  publishStatus();
                }
              });
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("this etcd registry is closed", e);
    }
    Duration bound = timeout.multipliedBy(3);
    try {
      return result.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      result.cancel(false);
      throw new RegistryException(
          RegistryException.Reason.UNREACHABLE,
          what
              + ": no answer from etcd within "
              + bound
              + " (is etcd running and reachable at the configured endpoints?)",
          e);
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new RegistryException(RegistryException.Reason.INTERRUPTED, what + ": interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        runtime.addSuppressed(new Exception("called from here"));
        throw runtime;
      }
      throw EtcdCalls.failure(what, e.getCause());
    }
  }

  private void execute(Runnable task) {
    try {
      loop.execute(publishing(task));
    } catch (RejectedExecutionException closedAlready) {
      // the registry is closed: nothing left to do
    }
  }

  private ScheduledFuture<?> scheduleOnLoop(Runnable task, Duration delay) {
    try {
      return loop.schedule(publishing(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closedAlready) {
      return null;
    }
  }

  /**
   * {@code task}, then a new {@link #status}: every loop task but the callers' goes through here.
   * What it throws is logged: the executor would keep it in a future nobody reads.
   */
  private Runnable publishing(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("A task of the etcd registry failed unexpectedly", e);
      } finally {
        publishStatus();
      }
    };
  }

  private void publishStatus() {
    status =
        new RegistryStatus(
            registrations.size(),
            lease == null ? 0 : lease.id,
            lease != null && !recovering,
            leaseRecoveries,
            keepAliveFailures,
            problem,
            closed);
  }

  private void keepAliveFailed(EtcdEvents.KeepAliveFailure failure) {
    keepAliveFailures++;
    emit(e -> e.keepAliveFailed(failure));
  }

  /** Tells the observer; what it throws is logged, never breaks the registry. */
  private void emit(Consumer<EtcdEvents> event) {
    try {
      event.accept(events);
    } catch (RuntimeException e) {
      log.warn("The registry's EtcdEvents observer threw; ignored", e);
    }
  }

  /** Spreads retries of many processes over ±20% of {@code delay}. */
  private static Duration jitter(Duration delay) {
    double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofNanos((long) (delay.toNanos() * factor));
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private static String hex(long id) {
    return Long.toHexString(id);
  }

  @Override
  public String toString() {
    return "EtcdRegistry{prefix=" + prefix + ", leaseTtl=" + leaseTtl + ", " + retry + "}";
  }

  /** One registered instance: its service, key and the exact bytes of its value. */
  private record Registration(String service, String key, byte[] value) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Registration r && r.key.equals(key) && Arrays.equals(r.value, value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(key, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
      return key;
    }
  }

  /** A granted lease and its keep-alive. */
  private static final class Lease {
    final long id;
    CloseableClient keepAlive;

    Lease(long id) {
      this.id = id;
    }
  }

  /** Hands keep-alive outcomes to the loop; ignores those of a lease no longer current. */
  private final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {
    private final Lease of;

    KeepAliveObserver(Lease of) {
      this.of = of;
    }

    @Override
    public void onNext(LeaseKeepAliveResponse response) {
      // alive: nothing to do
    }

    @Override
    public void onError(Throwable error) {
      execute(
          () -> {
            if (lease != of) {
              return;
            }
            keepAliveFailed(
                EtcdCalls.isLeaseNotFound(error)
                    ? EtcdEvents.KeepAliveFailure.LEASE_NOT_FOUND
                    : EtcdEvents.KeepAliveFailure.STREAM_ERROR);
            if (EtcdCalls.isLeaseNotFound(error)) {
              leaseLost("etcd no longer knows lease " + hex(of.id));
            } else {
              log.debug(
                  "Keep-alive of lease {} interrupted ({}); jetcd reconnects",
                  hex(of.id),
                  error.toString());
            }
          });
    }

    @Override
    public void onCompleted() {
      execute(
          () -> {
            if (lease == of) {
              keepAliveFailed(EtcdEvents.KeepAliveFailure.NO_ANSWER);
              leaseLost("the keep-alive of lease " + hex(of.id) + " got no answer within its TTL");
            }
          });
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
