package dev.registryetcd.grpc.internal;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.LiveDiscovery;
import dev.registryetcd.discovery.Subscription;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link NameResolver} of one {@code etcd:} target: it subscribes to its service on a shared
 * {@link LiveDiscovery} (an {@link dev.registryetcd.etcd.EtcdResolver}) and pushes every change to
 * gRPC; nothing is polled.
 *
 * <p>Threads: gRPC calls {@link #start}, {@link #refresh} and {@link #shutdown} on the channel's
 * {@link SynchronizationContext}, which also owns every field below. Subscribing (which may create
 * the shared resolver and its client) runs on gRPC's offload executor; changes arrive on the
 * resolver's listener threads, are turned into addresses there (DNS, if ever needed, happens there
 * too) and handed to the listener through the synchronization context.
 */
public final class EtcdNameResolver extends NameResolver {
  private static final Logger log = LoggerFactory.getLogger(EtcdNameResolver.class);
  private final String service;
  private final Supplier<? extends LiveDiscovery> resolvers;
  private final SynchronizationContext syncContext;
  private final Executor offload;
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  private Listener2 listener;
  private Subscription subscription;
  private boolean subscribing;
  private boolean resolvedOnce;
  private boolean shutdown;

  /**
   * @param resolvers gives the resolver to subscribe on; called off the synchronization context, it
   *     may create the resolver on first use and may throw (then the channel sees {@code
   *     UNAVAILABLE} and gRPC's back-off calls {@link #refresh} to try again)
   */
  public EtcdNameResolver(String service, Supplier<? extends LiveDiscovery> resolvers, Args args) {
    this.service = Objects.requireNonNull(service, "service");
    this.resolvers = Objects.requireNonNull(resolvers, "resolvers");
    this.syncContext =
        Objects.requireNonNull(
            args.getSynchronizationContext(), "args.getSynchronizationContext()");
    Executor offloadExecutor = args.getOffloadExecutor();
    this.offload = offloadExecutor != null ? offloadExecutor : EtcdNameResolver::runOnOwnThread;
  }

  /**
   * The service's name: the {@code :authority} of calls, and the host name TLS verifies unless
   * overridden.
   */
  @Override
  public String getServiceAuthority() {
    return service;
  }

  @Override
  public void start(Listener2 listener) {
    if (this.listener != null) {
      throw new IllegalStateException(
          "the etcd name resolver of " + service + " is already started");
    }
    this.listener = Objects.requireNonNull(listener, "listener");
    subscribe();
  }

  /**
   * Does nothing once subscribed: the live cache pushes every change. Until the first subscription
   * succeeded (etcd unreachable at start), gRPC's back-off calls this and it tries again.
   */
  @Override
  public void refresh() {
    if (listener != null && subscription == null) {
      subscribe();
    }
  }

  /** Closes the subscription; nothing reaches the listener afterwards. Idempotent. */
  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
  }

  private void subscribe() {
    if (shutdown || subscribing || subscription != null) {
      return;
    }
    subscribing = true;
    offload.execute(
        () -> {
          Subscription made = null;
          RuntimeException failure = null;
          try {
            made = resolvers.get().subscribe(service, new Changes());
          } catch (RuntimeException e) {
            failure = e;
          }
          Subscription result = made;
          RuntimeException error = failure;
          syncContext.execute(() -> onSubscribed(result, error));
        });
  }

  private void onSubscribed(Subscription made, RuntimeException error) {
    subscribing = false;
    if (made != null) {
      if (shutdown) {
        made.close();
      } else {
        subscription = made;
      }
      return;
    }
    if (!shutdown) {
      listener.onError(
          Status.UNAVAILABLE
              .withDescription("cannot read service " + service + " from etcd: " + describe(error))
              .withCause(error));
    }
  }

  private void deliver(StatusOr<List<EquivalentAddressGroup>> addresses) {
    if (shutdown) {
      return;
    }
    // An error (no instance left) reaches the balancer as a resolution error: it keeps the
    // addresses it has, as gRPC's policies do, rather than being handed an empty list.
    resolvedOnce = true;
    listener.onResult2(ResolutionResult.newBuilder().setAddressesOrError(addresses).build());
  }

  /**
   * Before the first answer, calls must not wait for ever: tell gRPC the service cannot be read
   * yet.
   */
  private void unreadable(Throwable error) {
    if (shutdown || resolvedOnce) {
      return;
    }
    listener.onError(
        Status.UNAVAILABLE
            .withDescription("cannot read service " + service + " from etcd: " + describe(error))
            .withCause(error));
  }

  /** Runs on the resolver's listener thread, one call at a time. */
  private final class Changes implements ChangeListener {
    @Override
    public void onChange(Change change) {
      StatusOr<List<EquivalentAddressGroup>> addresses =
          InstanceAddresses.toAddressGroups(service, change.result().instances(), warned);
      syncContext.execute(() -> deliver(addresses));
    }

    @Override
    public void onError(Throwable error) {
      // Once resolved, the cache keeps serving the last instances and sends the difference when it
      // reads etcd again, so the channel keeps its addresses; the resolver already warned once.
      log.debug(
          "etcd is unreachable for service {} ({}); the channel keeps its last known instances",
          service,
          error.toString());
      syncContext.execute(() -> unreadable(error));
    }
  }

  /**
   * The resolver's failures name the etcd endpoints and the cause; anything else (a bad
   * configuration) at least says its type, never a bare {@code null}.
   */
  private static String describe(Throwable error) {
    String message = error.getMessage();
    return message == null || message.isBlank() ? error.toString() : message;
  }

  private static void runOnOwnThread(Runnable task) {
    Thread thread = new Thread(task, "registry-etcd-grpc-subscribe");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public String toString() {
    return "EtcdNameResolver{service=" + service + "}";
  }
}
