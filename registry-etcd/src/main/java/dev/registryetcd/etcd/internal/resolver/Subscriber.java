package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Subscription;
import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One listener of one service: its deliveries run one at a time, in order, on the resolver's
 * listener threads (or the executor the subscriber gave), so a slow or throwing listener harms
 * neither the cache nor other listeners. With a direct executor the deliveries run on the loop.
 *
 * <p>Threads: {@link #cache} is owned by the resolver's loop; deliveries are queued from the loop
 * and run on a listener thread; {@link #close()} may be called anywhere.
 */
public final class Subscriber implements Subscription {
  private final ResolverContext context;
  private final String service;
  private final ChangeListener listener;
  private final Executor executor;
  private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile boolean cancelled;
  private ServiceCache cache; // read and written on the loop

  public Subscriber(ResolverContext context, ServiceCache cache, ChangeListener listener) {
    this(context, cache, listener, context.listeners());
  }

  /**
   * @param executor where {@code listener} is called, one call at a time
   */
  public Subscriber(
      ResolverContext context, ServiceCache cache, ChangeListener listener, Executor executor) {
    this.context = context;
    this.service = cache.service();
    this.cache = cache;
    this.listener = listener;
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** The cache it listens to. Loop only. */
  public ServiceCache cache() {
    return cache;
  }

  /** Listens to {@code cache}, made again after the former one was dropped. Loop only. */
  public void moveTo(ServiceCache cache) {
    this.cache = cache;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  void deliver(Change change) {
    enqueue(() -> listener.onChange(change));
  }

  /**
   * Delivers {@code change}, caused by an event that reached this process at {@code receivedNanos}
   * (0: caused by a read, nothing to measure).
   */
  void deliver(Change change, long receivedNanos) {
    if (receivedNanos == 0) {
      deliver(change);
      return;
    }
    enqueue(
        () -> {
          Duration sinceEvent = Duration.ofNanos(System.nanoTime() - receivedNanos);
          context.emit(e -> e.listenerNotified(service, sinceEvent));
          listener.onChange(change);
        });
  }

  void deliverError(Throwable error) {
    enqueue(() -> listener.onError(error));
  }

  private void enqueue(Runnable call) {
    pending.add(call);
    drain();
  }

  private void drain() {
    if (!draining.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.execute(
          () -> {
            try {
              for (Runnable call = pending.poll();
                  call != null && !cancelled;
                  call = pending.poll()) {
                try {
                  call.run();
                } catch (RuntimeException e) {
                  context
                      .log()
                      .warn("A listener of {} threw; it keeps its subscription", service, e);
                }
              }
            } finally {
              draining.set(false);
              if (!pending.isEmpty() && !cancelled) {
                drain();
              }
            }
          });
    } catch (RejectedExecutionException closedAlready) {
      draining.set(false);
    }
  }

  @Override
  public void close() {
    cancelled = true;
    pending.clear();
    context.loop().execute(() -> cache.unsubscribe(this));
  }
}
