package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.GuardedEvents;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes etcd hold what the {@link RegistrationTable} says: the check every ObserveDelay (is the
 * lease alive, is every key on it), the check of one service after its watch ended, putting back a
 * key deleted behind the registry's back, and settling keys whose last write failed.
 *
 * <p>Confined to the registry's loop thread. It acts only while a lease is held ({@link
 * LeaseRecovery#isLeased()}); when etcd no longer knows the lease, it hands over to recovery.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  /**
   * Up to this many registrations, one check asks for all keys on the lease (about 60 bytes each).
   */
  static final int ATTACHED_KEYS_LIMIT = 20_000;

  private final Client client;
  private final Duration timeout;
  private final RegistrationTable table;
  private final KeyWriter writer;
  private final LeaseKeeper lease;
  private final LeaseRecovery recovery;
  private final GuardedEvents events;
  private final Consumer<String> leaseLost;
  private final Runnable etcdAnswered;

  /**
   * @param leaseLost what to do when etcd no longer knows the lease, with the reason
   * @param etcdAnswered told when etcd answered the check's read of the lease
   */
  public Reconciler(
      Client client,
      Duration timeout,
      RegistrationTable table,
      KeyWriter writer,
      LeaseKeeper lease,
      LeaseRecovery recovery,
      GuardedEvents events,
      Consumer<String> leaseLost,
      Runnable etcdAnswered) {
    this.client = client;
    this.timeout = timeout;
    this.table = table;
    this.writer = writer;
    this.lease = lease;
    this.recovery = recovery;
    this.events = events;
    this.leaseLost = leaseLost;
    this.etcdAnswered = etcdAnswered;
  }

  /**
   * Every observe delay, as the Go extension: is the lease alive, are all keys there? One request
   * answers both: the lease's TTL with the keys attached to it. A registration whose key is not on
   * the lease (deleted, expired, or overwritten without it) is put back. Past {@link
   * #ATTACHED_KEYS_LIMIT} registrations, whose key list would strain a gRPC message, each service
   * is read instead.
   */
  public void observe() {
    if (!recovery.isLeased()) {
      return;
    }
    boolean listKeys = table.size() <= ATTACHED_KEYS_LIMIT;
    long leaseId = lease.leaseId();
    Set<String> attached = new HashSet<>();
    try {
      LeaseTimeToLiveResponse ttl =
          EtcdCalls.awaitRetrying(
              () ->
                  client
                      .getLeaseClient()
                      .timeToLive(
                          leaseId,
                          listKeys
                              ? LeaseOption.newBuilder().withAttachedKeys().build()
                              : LeaseOption.DEFAULT),
              timeout,
              "check lease " + LeaseKeeper.hex(leaseId));
      etcdAnswered.run();
      if (ttl.getTTL() <= 0) {
        leaseLost.accept("lease " + LeaseKeeper.hex(leaseId) + " expired");
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
      table.services().forEach(this::resync);
    }
    settleUnsettled();
  }

  /** Keys under a watched service were deleted: puts back those still registered. */
  public void deleted(List<OwnKeyWatch.Deletion> deletions) {
    if (!recovery.isLeased()) {
      return;
    }
    for (OwnKeyWatch.Deletion deletion : deletions) {
      String key = deletion.key();
      Registration registration = table.get(key);
      if (registration == null || table.deletedBeforeLastPut(key, deletion.revision())) {
        continue; // deregistered by us, or our own deregister before registering it again
      }
      log.warn("{} was deleted from etcd behind this registry's back; putting it back", key);
      try {
        writer.put(registration, lease.leaseId());
        events.emit(EtcdEvents::keyRestored);
      } catch (RegistryException e) {
        leaseLost.accept(
            EtcdCalls.isLeaseNotFound(e)
                ? notKnown()
                : "putting back " + key + " failed: " + e.getMessage());
        return;
      }
    }
  }

  /**
   * Reads the service's keys and puts back any that are missing (past {@link #ATTACHED_KEYS_LIMIT}
   * registrations, instead of asking the lease for its keys). Returns false when etcd could not be
   * read.
   */
  public boolean resync(String service) {
    if (!recovery.isLeased() || table.of(service).isEmpty()) {
      return true;
    }
    try {
      List<Kv> stored = new ArrayList<>();
      for (KeyValue kv : writer.readService(service).getKvs()) {
        stored.add(
            new Kv(
                kv.getKey().toString(StandardCharsets.UTF_8),
                kv.getValue().getBytes(),
                kv.getModRevision(),
                kv.getLease()));
      }
      read(service, stored, Long.MAX_VALUE);
      return true;
    } catch (RegistryException e) {
      if (EtcdCalls.isLeaseNotFound(e)) {
        leaseLost.accept(notKnown());
        return true;
      }
      log.debug("Checking {} failed ({}); trying again later", service, e.getMessage());
      return false;
    }
  }

  /**
   * What etcd holds under {@code service} ({@code stored}, from a read at {@code revision}): puts
   * back every registration of the service that is missing, not on the lease, or not its value,
   * unless it was put after that read.
   */
  public void read(String service, List<Kv> stored, long revision) {
    if (!recovery.isLeased()) {
      return; // recovery puts everything back
    }
    Map<String, Kv> found = new HashMap<>();
    for (Kv kv : stored) {
      found.put(kv.key(), kv);
    }
    long leaseId = lease.leaseId();
    for (Registration registration : table.of(service)) {
      Kv kv = found.get(registration.key());
      if (kv != null && kv.lease() == leaseId && registration.hasValue(kv.value())) {
        continue;
      }
      if (table.isUnsettled(registration.key()) || table.putAfter(registration.key(), revision)) {
        continue; // compared with etcd at the next check, or newer than the read
      }
      log.warn(
          "{} is missing from etcd (or not on lease {}, or not its value); putting it back",
          registration.key(),
          LeaseKeeper.hex(leaseId));
      try {
        writer.put(registration, leaseId);
        events.emit(EtcdEvents::keyRestored);
      } catch (RegistryException e) {
        leaseLost.accept(
            EtcdCalls.isLeaseNotFound(e)
                ? notKnown()
                : "putting back " + registration.key() + " failed: " + e.getMessage());
        return;
      }
    }
  }

  /** Puts back every registration whose key is not among those {@code attached} to the lease. */
  private void putBackMissing(Set<String> attached) {
    for (Registration registration : table.all()) {
      if (!recovery.isLeased()) {
        return;
      }
      if (attached.contains(registration.key()) || table.isUnsettled(registration.key())) {
        continue; // an unsettled key is compared with etcd's value next
      }
      log.warn(
          "{} is missing from etcd (or no longer on lease {}); putting it back",
          registration.key(),
          LeaseKeeper.hex(lease.leaseId()));
      try {
        writer.put(registration, lease.leaseId());
        events.emit(EtcdEvents::keyRestored);
      } catch (RegistryException e) {
        if (EtcdCalls.isLeaseNotFound(e)) {
          leaseLost.accept(notKnown());
        } else {
          log.debug(
              "Putting back {} failed ({}); trying again at the next check",
              registration.key(),
              e.getMessage());
        }
        return;
      }
    }
  }

  /**
   * Makes etcd hold what the table says for each key whose last write failed: deletes one etcd
   * stored on this lease although its register call failed, puts back the registered value over one
   * a failed replacement may have left.
   */
  private void settleUnsettled() {
    for (String key : table.unsettledKeys()) {
      if (!recovery.isLeased()) {
        return;
      }
      long leaseId = lease.leaseId();
      try {
        KeyValue stored = writer.read(key);
        Registration registration = table.get(key);
        if (registration == null) {
          if (stored != null && stored.getLease() == leaseId) {
            writer.delete(key);
            log.info("Removed {}: etcd stored it although its register call failed", key);
          }
        } else if (stored == null
            || stored.getLease() != leaseId
            || !registration.hasValue(stored.getValue().getBytes())) {
          writer.put(registration, leaseId);
          log.info("Put {} back to its registered value after a failed write", key);
        }
        table.settle(key);
      } catch (RegistryException e) {
        if (EtcdCalls.isLeaseNotFound(e)) {
          leaseLost.accept(notKnown());
        } else {
          log.debug("Checking {} failed ({}); trying again later", key, e.getMessage());
        }
        return;
      }
    }
  }

  private String notKnown() {
    return "etcd no longer knows lease " + LeaseKeeper.hex(lease.leaseId());
  }
}
