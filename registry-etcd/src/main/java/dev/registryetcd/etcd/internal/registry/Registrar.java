package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.RegistryStatus;
import dev.registryetcd.etcd.internal.ClientChannel;
import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.GuardedEvents;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.stream.StreamRangeSource;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's work, behind {@link dev.registryetcd.etcd.EtcdRegistry}'s API: one {@link
 * SerialLoop} thread and the parts it owns, wired together here: the {@link RegistrationTable}, the
 * {@link KeyWriter}, the {@link LeaseKeeper}, its {@link LeaseRecovery} and {@link
 * RecoveryAttempt}, the {@link OwnKeyWatch} and the {@link Reconciler}. Callers wait for the loop
 * at most a bound; every task ends by publishing a new {@link RegistryStatus}, with when etcd last
 * answered: each part's answer is recorded here, on the loop (keep-alive answers are handed over
 * from their own thread).
 *
 * <p>Longer than most parts because it is the wiring: each of the registry's operations (register,
 * deregister, status, close, and the parts' callbacks) is one short method here that hands to the
 * loop and calls the parts in order; the rules themselves live in the parts.
 */
public final class Registrar {
  private static final Logger log = LoggerFactory.getLogger("dev.registryetcd.etcd.EtcdRegistry");

  private final Client client;
  private final String prefix;
  private final Duration timeout;
  private final Duration leaseTtl;
  private final SerialLoop loop;
  private final GuardedEvents events;
  private final RegistrationTable table = new RegistrationTable();
  private final KeyWriter writer;
  private final LeaseKeeper lease;
  private final RecoveryAttempt attempt;
  private final LeaseRecovery recovery;
  private final StreamRangeSource watchSource;
  private final OwnKeyWatch ownKeys;
  private final Reconciler reconciler;
  private final Clock clock = Clock.systemUTC();

  /** Published by the loop after each of its tasks, read anywhere. */
  private volatile RegistryStatus status =
      new RegistryStatus(0, 0, false, 0, 0, null, false, null, null);

  // Owned by the loop thread.
  private long keepAliveFailures;
  private String closeProblem;
  private Instant lastContact;

  /**
   * @param name the loop thread's name
   */
  public Registrar(
      Client client,
      String prefix,
      Duration timeout,
      Duration leaseTtl,
      RetryConfig retry,
      EtcdEvents observer,
      String name) {
    this.client = client;
    this.prefix = prefix;
    this.timeout = timeout;
    this.leaseTtl = leaseTtl;
    this.loop = new SerialLoop(name, this::publishStatus);
    this.events = new GuardedEvents(observer, "registry");
    this.writer = new KeyWriter(client, prefix, timeout, table, this::etcdAnswered);
    this.lease = new LeaseKeeper(client, leaseTtl, timeout, loop);
    this.watchSource = new StreamRangeSource(client, timeout);
    this.ownKeys = new OwnKeyWatch(watchSource, prefix, loop, events);
    this.attempt = new RecoveryAttempt(lease, writer, table, this::recovered);
    this.recovery =
        new LeaseRecovery(
            retry, loop, Backoff.DEFAULT, attempt, this::etcdAnswers, new LoggedRecovery());
    this.reconciler =
        new Reconciler(
            client,
            timeout,
            table,
            writer,
            lease,
            recovery,
            events,
            this::leaseLost,
            this::etcdAnswered);
    lease.listener(new KeepAliveFailures());
    ownKeys.handler(
        new OwnKeyWatch.Handler() {
          @Override
          public void deleted(List<OwnKeyWatch.Deletion> deletions) {
            etcdAnswered();
            reconciler.deleted(deletions);
          }

          @Override
          public void read(String service, List<Kv> stored, long revision) {
            etcdAnswered();
            reconciler.read(service, stored, revision);
          }
        });
    loop.every(retry.observeDelay(), reconciler::observe);
  }

  /** Registers {@code registration}, waiting for the loop at most three dial timeouts. */
  public void register(Registration registration) {
    onLoop(
        () -> {
          doRegister(registration);
          return null;
        },
        "register " + registration.key());
  }

  /**
   * Holds {@code registration} and puts it on the loop afterwards, without waiting for etcd: when
   * etcd does not answer, the registry recovers as after a lost lease, so the key is put as soon as
   * etcd answers. Waits only for the loop to take it.
   */
  public void registerEventually(Registration registration) {
    onLoop(
        () -> {
          ensureOpen();
          Registration previous = table.hold(registration);
          if (previous == null) {
            log.debug("Holding {} until etcd takes it", registration.key());
          }
          loop.execute(() -> putHeld(registration.key()));
          return null;
        },
        "hold " + registration.key());
  }

  /**
   * Takes the registration made from {@code computed}'s origin out of service (its key is deleted
   * and not put back) or back in service (put again). Returns false when it is not registered.
   */
  public boolean setOutOfService(Registration computed, boolean outOfService) {
    return onLoop(
        () -> {
          ensureOpen();
          Registration held = table.heldFrom(computed.origin());
          if (held == null) {
            return false;
          }
          if (outOfService) {
            doSuspend(held);
          } else {
            doResume(held);
          }
          return true;
        },
        (outOfService ? "take out of service " : "put back in service ") + computed.key());
  }

  /**
   * Whether the registration made from {@code computed}'s origin is out of service, or null when it
   * is not registered.
   */
  public Boolean isOutOfService(Registration computed) {
    return onLoop(
        () -> {
          Registration held = table.heldFrom(computed.origin());
          return held == null ? null : table.isOutOfService(held.key());
        },
        "read the status of " + computed.key());
  }

  /**
   * Deregisters the registration made from {@code origin} (see {@link Registration#origin()}), or
   * {@code computed}'s key when none was.
   */
  public void deregister(Registration computed) {
    onLoop(
        () -> {
          Registration held = table.heldFrom(computed.origin());
          doDeregister(held == null ? computed : held);
          return null;
        },
        "deregister " + computed.key());
  }

  /** The lease held now, or 0. */
  public long leaseId() {
    return onLoop(lease::leaseId, "read lease");
  }

  public RegistryStatus status() {
    return status;
  }

  /**
   * Revokes the lease and stops the loop, waiting at most twice the dial timeout; what could not be
   * removed is logged and said in {@link #status()}.
   */
  public void close() {
    boolean closed = loop.close(this::shutdownOnLoop, timeout.multipliedBy(2));
    lease.close();
    watchSource.close();
    if (!closed) {
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
              true,
              last.lastContact(),
              null);
    }
  }

  // ---- work done on the loop thread ----

  private void doRegister(Registration registration) {
    ensureOpen();
    Registration previous = table.hold(registration);
    if (table.isOutOfService(registration.key())) {
      log.debug("Updated {}, out of service: not in etcd until put back", registration.key());
      return;
    }
    try {
      if (recovery.isRecovering()) {
        // The lease is lost: putting this one alone would need a lease of its own. Recover now,
        // with it.
        throwIfFailed(recovery.attemptNow());
      } else {
        try {
          putOnLease(registration);
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

  /** Puts a registration held by {@link #registerEventually}; when etcd fails, recovers. */
  private void putHeld(String key) {
    Registration registration = table.get(key);
    if (registration == null
        || !recovery.isLeased() && recovery.state() != LeaseRecovery.State.NO_LEASE) {
      return; // deregistered or out of service since, or recovery puts it (or closed)
    }
    try {
      putOnLease(registration);
      table.settle(key);
      log.info("Registered {} in etcd under lease {}", key, hex(lease.leaseId()));
    } catch (RegistryException e) {
      if (recovery.isLeased()) {
        leaseLost("putting " + key + " failed: " + e.getMessage());
      } else {
        lease.drop();
        recovery.registrationFailed("registering " + key + " failed", e);
      }
    }
  }

  private void doSuspend(Registration registration) {
    if (table.suspend(registration.key()) == null) {
      return; // out of service already
    }
    if (!table.holdsService(registration.service())) {
      ownKeys.unwatch(registration.service());
    }
    deleteOrLeaveToTheCheck(registration.key()); // held out of service whatever happens
    log.info("Took {} out of service: deleted from etcd, still held", registration.key());
  }

  private void doResume(Registration registration) {
    if (table.resume(registration.key()) == null) {
      return; // in service already
    }
    log.info("Putting {} back in service", registration.key());
    if (recovery.isRecovering()) {
      throwIfFailed(recovery.attemptNow());
      return;
    }
    try {
      putOnLease(registration);
      table.settle(registration.key());
    } catch (RegistryException e) {
      if (EtcdCalls.isLeaseNotFound(e)) {
        throwIfFailed(leaseLost("etcd no longer knows lease " + hex(lease.leaseId())));
        return;
      }
      table.unsettle(registration.key()); // in service now: the next check puts it
      throw e;
    }
  }

  /** Puts {@code registration} on the lease, taking one first if none is held, and watches it. */
  private void putOnLease(Registration registration) {
    long leaseId = lease.ensure();
    recovery.leased();
    writer.put(registration, leaseId);
    ownKeys.watch(registration.service());
  }

  /**
   * Deletes {@code key}; when etcd does not confirm it, the key stays unsettled and the next check
   * deletes it if it is still on our lease.
   */
  private void deleteOrLeaveToTheCheck(String key) {
    try {
      writer.delete(key);
      table.settle(key);
    } catch (RegistryException e) {
      table.unsettle(key);
      throw e;
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
    deleteOrLeaveToTheCheck(registration.key());
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
    attempt.gaveUp(lease.drop());
    return recovery.lost(reason, table.size());
  }

  /** A recovery attempt put every registration back. */
  private void recovered(int registrations) {
    etcdAnswered();
    ownKeys.restart(table.services());
    events.emit(e -> e.leaseRecovered(registrations));
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
      etcdAnswered();
      return true;
    } catch (RegistryException e) {
      log.debug("etcd does not answer yet: {}", e.getMessage());
      return false;
    }
  }

  private void shutdownOnLoop() {
    recovery.close();
    ownKeys.close();
    // during a recovery, the lease given up: etcd may hold it still, with the keys on it
    LeaseKeeper.Lease given = attempt.takeGivenUp();
    LeaseKeeper.Lease held = lease.holds() ? lease.drop() : given;
    if (held != null) {
      long id = held.id();
      try {
        lease.revoke(held);
        // A key another registrar has put on its own lease since is not on this one and stays.
        log.info(
            "Revoked lease {} of {} registration(s): etcd deleted every key still attached to it",
            hex(id),
            table.size());
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

  /** Runs {@code work} on the loop and waits a few requests' worth of dial timeouts. */
  private <T> T onLoop(Callable<T> work, String what) {
    try {
      return loop.call(work, timeout.multipliedBy(3), what);
    } catch (IllegalStateException closed) {
      throw new IllegalStateException("this etcd registry is closed", closed);
    }
  }

  /** Records that etcd answered the registry just now. Loop only. */
  private void etcdAnswered() {
    lastContact = clock.instant();
  }

  private void publishStatus() {
    boolean keepsSomething =
        !recovery.isClosed() && (lease.holds() || recovery.isRecovering() || table.size() > 0);
    status =
        new RegistryStatus(
            table.size() + table.outOfServiceCount(),
            lease.leaseId(),
            lease.holds() && !recovery.isRecovering(),
            recovery.recoveries(),
            keepAliveFailures,
            recovery.isClosed() ? closeProblem : recovery.problem(),
            recovery.isClosed(),
            lastContact,
            keepsSomething ? lease.silenceBound() : null);
  }

  private static String hex(long id) {
    return Long.toHexString(id);
  }

  /**
   * Records keep-alive answers; counts keep-alive failures, tells the observer, and recovers when
   * the lease is gone.
   */
  private final class KeepAliveFailures implements LeaseKeeper.Listener {
    @Override
    public void renewed(long leaseId) {
      etcdAnswered();
    }

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
      etcdAnswered(); // it answered, with a refusal
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
}
