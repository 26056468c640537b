package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The services the resolver caches: makes a {@link ServiceCache} on first use, waits for its first
 * read, and drops one nobody resolved for the idle time (and nobody subscribes to).
 *
 * <p>Caches made while the loop is busy are started together, by one task: their first reads go to
 * etcd as one {@link dev.registryetcd.etcd.internal.watch.RangeSource#readEach} (a few
 * transactions), not one request each, so that subscribing to many services at once costs etcd and
 * this process a few requests (a cold start of 1,000 services was slower than 1,000 range reads
 * issued at once while it read each on its own).
 *
 * <p>Threads: {@link #entry}, {@link #read} and the views may be called anywhere (the map is
 * concurrent, its hot path takes no lock); {@link #dropIdle}, {@link #restartAll} and {@link
 * #closeAll} only on the resolver's loop, which owns every cache's state.
 */
public final class ServiceCaches {
  private final ResolverContext context;
  private final Duration idleTimeout;
  private final BooleanSupplier resolverClosed;
  private final Map<String, ServiceCache> caches = new ConcurrentHashMap<>();

  /** Caches made and not started yet, in the order they were made. */
  private final Queue<ServiceCache> unstarted = new ConcurrentLinkedQueue<>();

  /** Whether a task that starts {@link #unstarted} is on the loop's queue. */
  private final AtomicBoolean startQueued = new AtomicBoolean();

  public ServiceCaches(
      ResolverContext context, Duration idleTimeout, BooleanSupplier resolverClosed) {
    this.context = context;
    this.idleTimeout = idleTimeout;
    this.resolverClosed = resolverClosed;
  }

  /**
   * The service's cache, made (and its first read started) when missing.
   *
   * @throws IllegalArgumentException when {@code service} is empty or contains {@code '/'}
   * @throws IllegalStateException when the resolver is closed
   */
  public ServiceCache entry(String service) {
    if (service == null || service.isEmpty() || service.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "service must be a non-empty name without '/', not " + service);
    }
    if (resolverClosed.getAsBoolean()) {
      throw new IllegalStateException("this etcd resolver is closed");
    }
    ServiceCache cache = caches.get(service); // the hot path: no lock, no allocation
    if (cache == null) {
      cache =
          caches.computeIfAbsent(
              service,
              name -> {
                ServiceCache fresh =
                    new ServiceCache(context, name, gaveUp -> caches.remove(name, gaveUp));
                unstarted.add(fresh);
                return fresh;
              });
      // Added before the flag is looked at, and the task clears the flag before it drains: a
      // cache is either in the running task's drain or has a task of its own queued.
      if (startQueued.compareAndSet(false, true)) {
        context.loop().execute(this::startUnstarted);
      }
    }
    return cache;
  }

  /** Starts every cache made since the last call, their first reads asked together. Loop only. */
  private void startUnstarted() {
    startQueued.set(false);
    List<ServiceCache> starting = new ArrayList<>();
    List<String> prefixes = new ArrayList<>();
    for (ServiceCache cache = unstarted.poll(); cache != null; cache = unstarted.poll()) {
      if (!cache.isClosed()) {
        starting.add(cache);
        prefixes.add(cache.prefix());
      }
    }
    if (starting.isEmpty()) {
      return;
    }
    List<CompletableFuture<RangeRead>> firstReads;
    try {
      firstReads = context.source().readEach(prefixes, false);
    } catch (RuntimeException cannotSend) {
      starting.forEach(ServiceCache::start); // each read fails on its own, and says why
      return;
    }
    for (int i = 0; i < starting.size(); i++) {
      starting.get(i).start(firstReads.get(i));
    }
  }

  /**
   * The service's cache, noted as resolved, once it has been read: waits for the first read,
   * bounded by the dial timeout.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd cannot be read the first time
   */
  public ServiceCache read(String service) {
    ServiceCache cache = entry(service);
    cache.touch();
    if (cache.result() == null) {
      String what =
          "read "
              + ServiceKeys.servicePrefix(context.prefix(), service)
              + " from "
              + context.etcd();
      Runnable forget =
          () ->
              context
                  .loop()
                  .execute(
                      () -> {
                        if (cache.result() == null && !cache.hasSubscribers()) {
                          caches.remove(service, cache);
                          cache.close();
                        }
                      });
      try {
        context.awaitFirstRead(cache.loaded(), what, "resolve " + service, forget);
      } catch (ExecutionException e) {
        if (cache.result() == null) {
          throw EtcdCalls.failure(what, e.getCause());
        }
      }
    }
    return cache;
  }

  /**
   * Joins {@code subscriber} to its service's cache, made again if it was dropped meanwhile. Loop
   * only.
   */
  public void attach(Subscriber subscriber, String service) {
    if (subscriber.isCancelled()) {
      return;
    }
    if (subscriber.cache().isClosed()) {
      try {
        subscriber.moveTo(entry(service));
      } catch (IllegalStateException resolverClosed) {
        return;
      }
    }
    subscriber.cache().subscribe(subscriber);
  }

  /** Every cache, for the status. */
  public Collection<ServiceCache> all() {
    return caches.values();
  }

  public int size() {
    return caches.size();
  }

  public boolean isEmpty() {
    return caches.isEmpty();
  }

  /** The cached services' names, a copy. */
  public Set<String> services() {
    return Set.copyOf(caches.keySet());
  }

  /** Drops the services read and not resolved for the idle time, without subscribers. Loop only. */
  public void dropIdle() {
    long now = System.nanoTime();
    for (ServiceCache cache : caches.values()) {
      if (!cache.hasSubscribers()
          && cache.result() != null
          && now - cache.lastAccessNanos() > idleTimeout.toNanos()) {
        caches.remove(cache.service(), cache);
        cache.close();
        context
            .log()
            .debug(
                "Dropped {} from the resolver's cache: not resolved for {}",
                cache.service(),
                idleTimeout);
      }
    }
  }

  /** Reads every service again, for {@code why}. Loop only. */
  public void restartAll(Throwable why) {
    for (ServiceCache cache : caches.values()) {
      cache.restart(why);
    }
  }

  /** Confirms every cache's watch against etcd's {@code revision}. Loop only. */
  public void confirmAll(long revision) {
    for (ServiceCache cache : caches.values()) {
      cache.confirm(revision);
    }
  }

  /**
   * Tells every cache that etcd does not answer, see {@link ServiceCache#etcdSilent}. Loop only.
   */
  public void etcdSilent(Throwable error) {
    for (ServiceCache cache : caches.values()) {
      cache.etcdSilent(error);
    }
  }

  /** Marks every cache's watch unconfirmed. Loop only. */
  public void unconfirmAll() {
    for (ServiceCache cache : caches.values()) {
      cache.unconfirm();
    }
  }

  /** Closes and forgets every cache. Loop only. */
  public void closeAll() {
    for (ServiceCache cache : caches.values()) {
      cache.close();
    }
    caches.clear();
  }
}
