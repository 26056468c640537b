package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.ClientChannel;
import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.loop.SingleTimer;
import dev.registryetcd.events.EtcdEvents.KeepAliveFailure;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's lease: grants it, keeps it alive, revokes it.
 *
 * <p>Keep-alives are the registry's own, not one long-lived jetcd stream: every TTL/3 (as Go's
 * client) one keep-alive request on a stream of its own ({@link KeepAliveOnce}), which must be
 * answered within {@link #answerBound()}; one that is not, or fails, is sent again at once (after a
 * short backoff for refusals), and gRPC's round-robin sends it through the next member. Any member
 * can renew a lease, so a member that stalls or is cut off (its port still accepting) costs one
 * bound, not the lease: a stream held on it would wait, silently, until the lease expired. Only
 * when no renewal was answered for a whole TTL is the lease taken as lost.
 *
 * <p>Threads: the lease held ({@link #ensure}, {@link #adopt}, {@link #drop}, {@link #revoke}) is
 * the registry loop's. The keep-alives run on a thread of their own ({@code
 * registry-etcd-registry-N-keepalive}), so that a slow request of the registry's loop (a check, a
 * put through a stalled member) never delays a renewal; they report to the {@link Listener} on the
 * registry's loop, and only while their lease is still the one held.
 */
public final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
  private static final Duration MIN_ANSWER_BOUND = Duration.ofMillis(300);
  private static final Duration MAX_ANSWER_BOUND = Duration.ofSeconds(2);
  private static final Duration FIRST_RETRY = Duration.ofMillis(50);

  /** What the keep-alive of the current lease says, told on the loop thread. */
  public interface Listener {
    /** etcd answered a keep-alive: the lease is renewed. */
    void renewed(long leaseId);

    /** One keep-alive was not answered in time or failed; it is being sent again. */
    void renewalFailed(long leaseId, KeepAliveFailure cause, Throwable error);

    /** etcd says it does not know the lease (expired, or revoked behind the registry's back). */
    void leaseNotFound(long leaseId);

    /** No keep-alive was answered for a whole TTL: the lease is as good as gone. */
    void leaseExpired(long leaseId);
  }

  /** A granted lease, and its keep-alive once adopted. */
  public static final class Lease {
    private final long id;
    private KeepAlive keepAlive;

    private Lease(long id) {
      this.id = id;
    }

    public long id() {
      return id;
    }
  }

  private final Client client;

  /** The client's Lease stub, or null when this jetcd has no way to make one (then jetcd's own). */
  private final LeaseGrpc.LeaseStub leaseStub;

  private final Duration ttl;
  private final Duration timeout;
  private final SerialLoop loop;
  private final SerialLoop keepAlives;
  private final Duration renewEvery;
  private final Duration answerBound;

  /** Before a failed keep-alive is sent again: 50 ms doubling to one answer bound, spread. */
  private final Backoff retryBackoff;

  private Listener listener;
  private Lease current;

  /**
   * @param loop the registry's loop, which owns the lease held
   */
  public LeaseKeeper(Client client, Duration ttl, Duration timeout, SerialLoop loop) {
    this.client = client;
    this.leaseStub = leaseStubOf(client);
    this.ttl = ttl;
    this.timeout = timeout;
    this.loop = loop;
    this.keepAlives = new SerialLoop(loop + "-keepalive", () -> {});
    this.renewEvery = ttl.dividedBy(3);
    this.answerBound = clamp(ttl.dividedBy(6), MIN_ANSWER_BOUND, MAX_ANSWER_BOUND);
    this.retryBackoff = new Backoff(FIRST_RETRY, answerBound, false, Backoff.DEFAULT.random());
  }

  private static Duration clamp(Duration value, Duration min, Duration max) {
    return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
  }

  /** Who hears about the keep-alive; set once, before the first grant. */
  public void listener(Listener listener) {
    this.listener = listener;
  }

  /**
   * How long one keep-alive may go unanswered before it is sent again through another member: a
   * sixth of the TTL, between 300 ms and 2 s, so that several tries fit in a TTL, and a member that
   * is only slow (an election takes about a second) is not given up too early.
   */
  public Duration answerBound() {
    return answerBound;
  }

  /**
   * How long the registry may go without a keep-alive answer while etcd works: one renewal interval
   * (a third of the TTL) and two answer bounds, for a keep-alive not answered in time and the one
   * sent again through the next member. Past it, no member has answered.
   */
  public Duration silenceBound() {
    return renewEvery.plus(answerBound.multipliedBy(2));
  }

  /** The lease held now, or 0. */
  public long leaseId() {
    return current == null ? 0 : current.id;
  }

  public boolean holds() {
    return current != null;
  }

  /** The lease held now, granted and kept alive first if none is. */
  public long ensure() {
    if (current == null) {
      adopt(grant());
    }
    return current.id;
  }

  /** A new lease, not kept alive until it is {@link #adopt adopted}, or {@link #discard}ed. */
  public Lease grant() {
    long id =
        EtcdCalls.awaitRetrying(
                () -> client.getLeaseClient().grant(ttl.getSeconds()),
                timeout,
                "grant a lease of " + ttl)
            .getID();
    log.debug("Granted lease {} with TTL {}", hex(id), ttl);
    return new Lease(id);
  }

  /** Makes {@code lease} the current one and keeps it alive. */
  public void adopt(Lease lease) {
    drop();
    current = lease;
    KeepAlive keepAlive = new KeepAlive(lease);
    lease.keepAlive = keepAlive;
    keepAlives.execute(keepAlive::start);
  }

  /** Revokes {@code lease}, not waiting: it expires anyway. */
  public void discard(Lease lease) {
    client.getLeaseClient().revoke(lease.id);
  }

  /** Forgets the current lease (lost): stops keeping it alive. Returns it, or null. */
  public Lease drop() {
    Lease dropped = current;
    if (dropped != null) {
      KeepAlive keepAlive = dropped.keepAlive;
      keepAlives.execute(keepAlive::stop);
      current = null;
    }
    return dropped;
  }

  /**
   * Renews {@code given}, a lease {@link #drop dropped} because no keep-alive was answered within
   * its TTL: etcd may hold it still, since a member elected leader extends every lease it inherits
   * by an election timeout. Tries for at most the dial timeout, each try given one {@link
   * #answerBound()} before the next goes through the next member.
   *
   * @return true when etcd renewed it, false when etcd no longer knows it
   * @throws RegistryException when no member answered
   */
  public boolean renew(Lease given) {
    try {
      EtcdCalls.awaitRetrying(
          () -> keepAliveOnce(given.id), timeout, answerBound, "renew lease " + hex(given.id));
      log.debug("Renewed lease {}, given up before", hex(given.id));
      return true;
    } catch (RegistryException e) {
      if (EtcdCalls.isLeaseNotFound(e)) {
        return false;
      }
      throw e;
    }
  }

  /** Stops the keep-alive thread (the registry is closed). */
  public void close() {
    keepAlives.close(() -> {}, timeout);
  }

  /**
   * Revokes {@code lease}, not held (one {@link #drop dropped}), waiting at most the dial timeout.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd did not confirm it
   */
  public void revoke(Lease lease) {
    long id = lease.id;
    try {
      EtcdCalls.awaitRetrying(
          () -> client.getLeaseClient().revoke(id), timeout, "revoke lease " + hex(id));
    } catch (RegistryException e) {
      if (!EtcdCalls.isLeaseNotFound(e)) {
        throw e; // not found: an earlier attempt revoked it, or it expired; either way it is gone
      }
    }
  }

  /** One keep-alive request of lease {@code id}; any thread. */
  private CompletableFuture<LeaseKeepAliveResponse> keepAliveOnce(long id) {
    return leaseStub != null
        ? KeepAliveOnce.send(leaseStub, id)
        : client.getLeaseClient().keepAliveOnce(id);
  }

  private static LeaseGrpc.LeaseStub leaseStubOf(Client client) {
    try {
      return ClientChannel.leaseStub(client);
    } catch (IllegalStateException e) {
      log.debug("Keep-alives go through jetcd's keepAliveOnce: {}", e.getMessage());
      return null;
    }
  }

  private final class KeepAlive {
    private final Lease lease;
    private long renewedAtNanos;
    private long attempt;
    private int failuresInARow;
    private boolean stopped;
    private final SingleTimer next = new SingleTimer(keepAlives);

    KeepAlive(Lease lease) {
      this.lease = lease;
    }

    void start() {
      renewedAtNanos = keepAlives.nanoTime();
      next.schedule(this::renew, renewEvery);
    }

    void stop() {
      stopped = true;
      next.cancel();
    }

    private void renew() {
      if (stopped) {
        return;
      }
      long sent = ++attempt;
      long sentAtNanos = keepAlives.nanoTime();
      next.schedule(() -> unanswered(sent), answerBound);
      keepAliveOnce(lease.id)
          .whenComplete(
              (response, error) ->
                  keepAlives.execute(() -> answered(sent, sentAtNanos, response, error)));
    }

    private void answered(
        long sent, long sentAtNanos, LeaseKeepAliveResponse response, Throwable error) {
      boolean late = attempt != sent;
      if (stopped || late && error != null) {
        return; // an attempt already given up failed after all
      }
      next.cancel();
      if (error == null) {
        // etcd renewed the lease after the request was sent, so it lives a TTL from then. That
        // holds for an attempt already given up too (etcd's grpc-proxy answers when its own
        // keep-alive of the lease is answered, up to half a second late); the attempt in flight,
        // if any, is then not needed.
        attempt++;
        renewedAtNanos = Math.max(renewedAtNanos, sentAtNanos);
        failuresInARow = 0;
        Duration sinceSent = Duration.ofNanos(keepAlives.nanoTime() - sentAtNanos);
        next.schedule(
            this::renew,
            sinceSent.compareTo(renewEvery) < 0 ? renewEvery.minus(sinceSent) : Duration.ZERO);
        report(listener -> listener.renewed(lease.id));
      } else if (EtcdCalls.isLeaseNotFound(error)) {
        stopped = true;
        report(listener -> listener.leaseNotFound(lease.id));
      } else {
        report(listener -> listener.renewalFailed(lease.id, KeepAliveFailure.STREAM_ERROR, error));
        retry();
      }
    }

    private void unanswered(long sent) {
      if (stopped || attempt != sent) {
        return;
      }
      log.debug(
          "Keep-alive of lease {} not answered within {}; sending it again",
          hex(lease.id),
          answerBound);
      report(listener -> listener.renewalFailed(lease.id, KeepAliveFailure.NO_ANSWER, null));
      attempt++; // its answer, should it come, is stale
      retry();
    }

    private void retry() {
      Duration sinceRenewal = Duration.ofNanos(keepAlives.nanoTime() - renewedAtNanos);
      if (sinceRenewal.compareTo(ttl) >= 0) {
        stopped = true;
        report(listener -> listener.leaseExpired(lease.id));
        return;
      }
      failuresInARow++;
      Duration wait = retryBackoff.delay(failuresInARow);
      Duration left = ttl.minus(sinceRenewal);
      next.schedule(this::renew, wait.compareTo(left) < 0 ? wait : left);
    }

    /** Tells the listener on the registry's loop, if this lease is still the one held. */
    private void report(java.util.function.Consumer<Listener> event) {
      loop.execute(
          () -> {
            if (current == lease) {
              event.accept(listener);
            }
          });
    }
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }
}
