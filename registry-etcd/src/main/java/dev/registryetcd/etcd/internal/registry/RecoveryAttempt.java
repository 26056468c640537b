package dev.registryetcd.etcd.internal.registry;

import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of {@link LeaseRecovery}: puts every registration back on the lease given up when
 * etcd still holds it, else on a new lease.
 *
 * <p>Why the lease given up is tried first: a keep-alive unanswered for a whole TTL is the client's
 * guess, not etcd's word. When the leader stalls, the member elected next extends every lease it
 * inherits by an election timeout, so the lease is often alive; renewing it keeps its keys in etcd
 * throughout, where moving them to a new lease would race its expiry. Only a lease etcd says it
 * does not know is replaced, and a lease that may hold keys is never revoked by an attempt.
 *
 * <p>Confined to the registry's loop thread.
 */
final class RecoveryAttempt implements LeaseRecovery.Attempt {
  private static final Logger log = LoggerFactory.getLogger(RecoveryAttempt.class);

  private final LeaseKeeper lease;
  private final KeyWriter writer;
  private final RegistrationTable table;
  private final IntConsumer recovered;

  /** The lease dropped at the last loss, which etcd may still hold, or null. */
  private LeaseKeeper.Lease givenUp;

  /**
   * @param recovered told, with the number of registrations, after every one was put back
   */
  RecoveryAttempt(
      LeaseKeeper lease, KeyWriter writer, RegistrationTable table, IntConsumer recovered) {
    this.lease = lease;
    this.writer = writer;
    this.table = table;
    this.recovered = recovered;
  }

  /** The lease was lost: {@code dropped} (null when none was held) is the one to renew first. */
  void gaveUp(LeaseKeeper.Lease dropped) {
    if (dropped != null) {
      givenUp = dropped;
    }
  }

  /**
   * The lease given up and not held again, or null; forgotten from here on (the registry closes and
   * revokes it).
   */
  LeaseKeeper.Lease takeGivenUp() {
    LeaseKeeper.Lease taken = givenUp;
    givenUp = null;
    return taken;
  }

  @Override
  public LeaseRecovery.Recovered run() {
    if (givenUp != null) {
      if (lease.renew(givenUp)) {
        return putEverythingOn(givenUp, false);
      }
      log.debug(
          "Lease {} given up is gone from etcd too; granting a new one",
          LeaseKeeper.hex(givenUp.id()));
      givenUp = null;
    }
    return putEverythingOn(lease.grant(), true);
  }

  /**
   * Keeps {@code held} alive and puts every registration on it. When a put fails, a {@code fresh}
   * lease (granted for this attempt, so it holds nothing else) is revoked; the lease given up is
   * kept alive, since the registrations put on it are in etcd, and the next attempt renews it
   * again.
   */
  private LeaseRecovery.Recovered putEverythingOn(LeaseKeeper.Lease held, boolean fresh) {
    // kept alive from now on: putting many keys may take longer than a short TTL
    lease.adopt(held);
    try {
      for (Registration registration : table.all()) {
        writer.put(registration, held.id());
      }
    } catch (RuntimeException e) {
      if (fresh) {
        lease.drop();
        lease.discard(held);
      }
      throw e;
    }
    givenUp = null;
    int registrations = table.size();
    recovered.accept(registrations);
    return new LeaseRecovery.Recovered(held.id(), registrations, !fresh);
  }
}
