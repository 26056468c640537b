package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's lease: grants it, keeps it alive, revokes it. Keep-alive outcomes are handed to
 * the registry's loop and reported only while they concern the lease held now.
 *
 * <p>Confined to the registry's loop thread.
 */
public final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  /** What the keep-alive of the current lease says, told on the loop thread. */
  public interface Listener {
    /** The keep-alive failed with {@code error} (etcd may not know the lease any more). */
    void keepAliveFailed(long leaseId, Throwable error);

    /** The keep-alive got no answer within the TTL: the lease is as good as gone. */
    void keepAliveUnanswered(long leaseId);
  }

  /** A granted lease and its keep-alive. */
  public static final class Lease {
    private final long id;
    private CloseableClient keepAlive;

    private Lease(long id) {
      this.id = id;
    }

    public long id() {
      return id;
    }

    private void stopKeepAlive() {
      if (keepAlive != null) {
        keepAlive.close();
      }
    }
  }

  private final Client client;
  private final Duration ttl;
  private final Duration timeout;
  private final SerialLoop loop;
  private Listener listener;
  private Lease current;

  public LeaseKeeper(Client client, Duration ttl, Duration timeout, SerialLoop loop) {
    this.client = client;
    this.ttl = ttl;
    this.timeout = timeout;
    this.loop = loop;
  }

  /** Who hears about the keep-alive; set once, before the first grant. */
  public void listener(Listener listener) {
    this.listener = listener;
  }

  public Duration ttl() {
    return ttl;
  }

  /** The lease held now, or 0. */
  public long leaseId() {
    return current == null ? 0 : current.id;
  }

  public boolean holds() {
    return current != null;
  }

  /** The lease held now, granted first if none is. */
  public long ensure() {
    if (current == null) {
      current = grant();
    }
    return current.id;
  }

  /**
   * A new lease, kept alive but not yet the current one: see {@link #adopt} and {@link #discard}.
   */
  public Lease grant() {
    long id =
        EtcdCalls.awaitRetrying(
                () -> client.getLeaseClient().grant(ttl.getSeconds()),
                timeout,
                "grant a lease of " + ttl)
            .getID();
    Lease granted = new Lease(id);
    granted.keepAlive = client.getLeaseClient().keepAlive(id, new KeepAliveObserver(granted));
    log.debug("Granted lease {} with TTL {}", hex(id), ttl);
    return granted;
  }

  /** Makes {@code lease} the current one. */
  public void adopt(Lease lease) {
    drop();
    current = lease;
  }

  /** Stops keeping {@code lease} alive and revokes it, not waiting: it expires anyway. */
  public void discard(Lease lease) {
    lease.stopKeepAlive();
    client.getLeaseClient().revoke(lease.id);
  }

  /** Forgets the current lease (lost): stops its keep-alive. */
  public void drop() {
    if (current != null) {
      current.stopKeepAlive();
      current = null;
    }
  }

  /**
   * Revokes the current lease, waiting at most the dial timeout, and forgets it.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd did not confirm it
   */
  public void revoke() {
    if (current == null) {
      return;
    }
    Lease revoked = current;
    current = null;
    revoked.stopKeepAlive();
    EtcdCalls.await(
        client.getLeaseClient().revoke(revoked.id), timeout, "revoke lease " + hex(revoked.id));
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }

  /** Hands keep-alive outcomes to the loop; drops those of a lease no longer current. */
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
      loop.execute(
          () -> {
            if (current == of) {
              listener.keepAliveFailed(of.id, error);
            }
          });
    }

    @Override
    public void onCompleted() {
      loop.execute(
          () -> {
            if (current == of) {
              listener.keepAliveUnanswered(of.id);
            }
          });
    }
  }
}
