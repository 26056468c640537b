package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.GuardedEvents;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
  private final OwnKeyWatch watch;
  private final GuardedEvents events;
  private final Consumer<String> leaseLost;

  /**
   * @param leaseLost what to do when etcd no longer knows the lease, with the reason
   */
  public Reconciler(
      Client client,
      Duration timeout,
      RegistrationTable table,
      KeyWriter writer,
      LeaseKeeper lease,
      LeaseRecovery recovery,
      OwnKeyWatch watch,
      GuardedEvents events,
      Consumer<String> leaseLost) {
    this.client = client;
    this.timeout = timeout;
    this.table = table;
    this.writer = writer;
    this.lease = lease;
    this.recovery = recovery;
    this.watch = watch;
    this.events = events;
    this.leaseLost = leaseLost;
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
   * Checks the service's keys in etcd, puts back any that are missing, and watches them if not yet
   * watched. Returns false when etcd could not be read.
   */
  public boolean resync(String service) {
    if (!recovery.isLeased()) {
      return true; // recovery puts everything back and watches again
    }
    List<Registration> mine = table.of(service);
    if (mine.isEmpty()) {
      return true;
    }
    try {
      GetResponse response = writer.readService(service);
      Map<String, KeyValue> found = new HashMap<>();
      for (KeyValue kv : response.getKvs()) {
        found.put(kv.getKey().toString(StandardCharsets.UTF_8), kv);
      }
      long revision = response.getHeader().getRevision();
      long leaseId = lease.leaseId();
      for (Registration registration : mine) {
        KeyValue kv = found.get(registration.key());
        if (kv == null
            || kv.getLease() != leaseId
            || !registration.hasValue(kv.getValue().getBytes())) {
          log.warn(
              "{} is missing from etcd (or not on lease {}, or not its value); putting it back",
              registration.key(),
              LeaseKeeper.hex(leaseId));
          revision = writer.put(registration, leaseId);
          events.emit(EtcdEvents::keyRestored);
        }
      }
      watch.watch(service, revision + 1);
      return true;
    } catch (RegistryException e) {
      if (EtcdCalls.isLeaseNotFound(e)) {
        leaseLost.accept(notKnown());
        return true;
      }
      log.debug("Checking {} failed ({}); trying again", service, e.getMessage());
      return false;
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
