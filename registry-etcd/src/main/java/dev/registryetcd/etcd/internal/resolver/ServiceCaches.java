package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.ServiceKeys;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The services the resolver caches: makes a {@link ServiceCache} on first use, waits for its first
 * read, and drops one nobody resolved for the idle time (and nobody subscribes to).
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
                context.loop().execute(fresh::start);
                return fresh;
              });
    }
    return cache;
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
