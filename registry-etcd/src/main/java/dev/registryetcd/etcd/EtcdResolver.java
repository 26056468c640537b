package dev.registryetcd.etcd;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.InstanceInfo;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Diff;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Resolver;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.internal.ClientSettings;
import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Resolver} on etcd that reads what the Kitex etcd extension (or {@link EtcdRegistry})
 * registers, backed by a live cache.
 *
 * <p>The first {@link #resolve} of a service reads {@code {prefix}/{service}/} once and watches it
 * from the next revision; later calls answer from memory without a request to etcd. Each change is
 * applied in etcd's order and the service's result swapped whole, so readers never lock and never
 * see half an update. When a watch ends for any reason (compaction, etcd restarted or unreachable,
 * leader lost) the resolver reads the service again, watches again and tells subscribers the
 * difference; meanwhile it keeps serving the last instances it knew. A service nobody resolved for
 * the idle time (and nobody subscribes to) is dropped from the cache and its watch closed.
 *
 * <p>As in Go: a value that does not decode is skipped with one warning naming its key, a weight
 * {@code <= 0} becomes the default weight, and a service without instances is a {@link
 * NoInstanceException} ("no instance remains for echo").
 *
 * <pre>{@code
 * try (EtcdResolver resolver = EtcdResolver.newEtcdResolver(List.of("127.0.0.1:2379"))) {
 *   Result echo = resolver.resolve("echo");
 *   Subscription changes = resolver.subscribe("echo", change -> System.out.println(change));
 * }
 * }</pre>
 *
 * <p>Threads: one daemon thread ({@code registry-etcd-resolver-N}) applies every change and owns
 * the cache's state; listeners run on daemon threads of the resolver's ({@code
 * registry-etcd-listener-N}), one call at a time per subscription. It owns the jetcd {@link Client}
 * unless one was handed to {@link Builder#client(Client)}.
 */
public final class EtcdResolver implements Resolver {
  private static final Logger log = LoggerFactory.getLogger(EtcdResolver.class);
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration FIRST_RETRY = Duration.ofMillis(100);

  /**
   * How often the resolver asks etcd for its revision: a watch resumed by jetcd on an etcd that
   * lost its data waits for a revision that may never come, and says nothing.
   */
  private static final Duration REVISION_CHECK = Duration.ofSeconds(3);

  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final String prefix;
  private final int defaultWeight;
  private final Duration timeout;
  private final Duration idleTimeout;
  private final Client client;
  private final boolean ownsClient;
  private final ScheduledExecutorService loop;
  private final ExecutorService listeners;
  private final Map<String, ServiceCache> caches = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EtcdEvents events;
  private final AtomicLong watchRestarts = new AtomicLong();
  private volatile Catalog catalog;

  /** The highest revision any read or watch of this resolver has seen. Loop only. */
  private long highestRevision;

  private EtcdResolver(Builder builder) {
    Settings settings = new Settings(builder.endpoints, builder.options.toArray(new Option[0]));
    ClientSettings clientSettings = settings.clientSettings();
    this.prefix = settings.prefix();
    this.defaultWeight = settings.defaultWeight();
    this.timeout = settings.dialTimeout();
    this.idleTimeout = builder.idleTimeout;
    this.events = builder.events;
    if (builder.client != null) {
      this.client = builder.client;
      this.ownsClient = false;
    } else {
      this.client = clientSettings.newClient();
      this.ownsClient = true;
    }
    int id = IDS.incrementAndGet();
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(1, daemon("registry-etcd-resolver-" + id));
    executor.setRemoveOnCancelPolicy(true);
    this.loop = executor;
    this.listeners = Executors.newCachedThreadPool(daemon("registry-etcd-listener-" + id));
    Duration sweep =
        idleTimeout.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofMillis(Math.max(50, idleTimeout.toMillis() / 4))
            : idleTimeout.dividedBy(4);
    loop.scheduleWithFixedDelay(
        survivingFailures(this::dropIdleServices, "dropping idle services"),
        sweep.toNanos(),
        sweep.toNanos(),
        TimeUnit.NANOSECONDS);
    loop.scheduleWithFixedDelay(
        survivingFailures(this::checkRevision, "checking etcd's revision"),
        REVISION_CHECK.toNanos(),
        REVISION_CHECK.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  /**
   * Creates a resolver for {@code endpoints} ({@code host:port} or URLs) with Go's defaults changed
   * by {@code options}.
   */
  public static EtcdResolver newEtcdResolver(List<String> endpoints, Option... options) {
    return builder().endpoints(endpoints).options(options).build();
  }

  /**
   * Creates a resolver that authenticates as {@code username}, with the same defaults as {@link
   * #newEtcdResolver} (prefix {@code kitex/registry-etcd}, default weight 10).
   */
  public static EtcdResolver newEtcdResolverWithAuth(
      List<String> endpoints, String username, String password) {
    return builder().endpoints(endpoints).options(Option.withAuthOpt(username, password)).build();
  }

  /** A builder for JVM users: shared client, idle time. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String target(String serviceName) {
    return serviceName;
  }

  @Override
  public String name() {
    return "etcd";
  }

  /**
   * The instances of {@code service}: from memory once the service is cached (as fresh as the
   * watch, usually milliseconds behind etcd), else after one read of etcd bounded by the dial
   * timeout.
   *
   * @throws IllegalArgumentException when {@code service} is empty or contains {@code '/'}
   * @throws NoInstanceException when the service has no instance
   * @throws RegistryException when etcd cannot be read the first time
   */
  @Override
  public Result resolve(String service) {
    Snapshot snapshot = cacheOf(service).snapshot;
    if (snapshot.result.instances().isEmpty()) {
      throw new NoInstanceException(service);
    }
    return snapshot.result;
  }

  /**
   * Calls {@code listener} with the current instances of {@code service}, then with every change,
   * until the returned subscription is closed. Returns at once: the first call comes when the
   * service has been read; while etcd cannot be read, the listener's {@code onError} is called and
   * the resolver keeps trying. A subscribed service stays cached however long it goes unresolved.
   *
   * @throws IllegalArgumentException when {@code service} is empty or contains {@code '/'}
   */
  public Subscription subscribe(String service, ChangeListener listener) {
    Objects.requireNonNull(listener, "listener");
    ServiceCache cache = cacheEntry(service);
    Subscriber subscriber = new Subscriber(cache, listener);
    execute(() -> attach(subscriber, service));
    return subscriber;
  }

  /**
   * On the loop: joins the subscriber to its service's cache, made again if it was dropped
   * meanwhile.
   */
  private void attach(Subscriber subscriber, String service) {
    if (subscriber.cancelled) {
      return;
    }
    if (subscriber.cache.closed) {
      try {
        subscriber.cache = cacheEntry(service);
      } catch (IllegalStateException resolverClosed) {
        return;
      }
    }
    ServiceCache cache = subscriber.cache;
    cache.subscribers.add(subscriber);
    if (cache.snapshot != null) {
      Result now = cache.snapshot.result;
      subscriber.deliver(new Change(now, now.instances(), List.of(), List.of()));
    }
  }

  /**
   * The name of every service with at least one key under the prefix, registered by anyone. The
   * first call reads the prefix's keys (bounded by the dial timeout) and starts a watch of the
   * whole prefix; later calls answer from memory.
   *
   * @throws RegistryException when etcd cannot be read the first time
   */
  public Set<String> services() {
    if (closed.get()) {
      throw new IllegalStateException("this etcd resolver is closed");
    }
    Catalog current = catalog;
    if (current == null) {
      synchronized (this) {
        if (closed.get()) {
          throw new IllegalStateException("this etcd resolver is closed");
        }
        current = catalog;
        if (current == null) {
          current = new Catalog();
          catalog = current;
          execute(current::read);
        }
      }
    }
    Set<String> names = current.names;
    if (names != null) {
      return names;
    }
    String what = "read " + prefix + "/";
    try {
      current.loaded.get(
          timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.NANOSECONDS);
      return current.names;
    } catch (TimeoutException e) {
      dropCatalog(current);
      throw new RegistryException(
          RegistryException.Reason.UNREACHABLE,
          what
              + ": etcd did not answer within "
              + timeout
              + " (is etcd running and reachable at the configured endpoints?)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(RegistryException.Reason.INTERRUPTED, "services: interrupted", e);
    } catch (ExecutionException e) {
      dropCatalog(current);
      throw EtcdCalls.failure(what, e.getCause());
    }
  }

  /** Forgets a catalog whose first read failed, so the next {@link #services()} starts again. */
  private void dropCatalog(Catalog failed) {
    execute(
        () -> {
          if (failed.names == null) {
            failed.close();
            synchronized (this) {
              if (catalog == failed) {
                catalog = null;
              }
            }
          }
        });
  }

  /**
   * What the resolver caches right now and whether its watches are healthy. Answers at once,
   * without asking etcd.
   */
  public ResolverStatus status() {
    int instances = 0;
    Set<String> failing = new TreeSet<>();
    for (ServiceCache cache : caches.values()) {
      Snapshot snapshot = cache.snapshot;
      if (snapshot != null) {
        instances += snapshot.result.instances().size();
      }
      if (cache.reportedOutage) {
        failing.add(cache.service);
      }
    }
    Catalog names = catalog;
    return new ResolverStatus(
        caches.size(),
        instances,
        failing,
        names != null && names.reportedOutage,
        watchRestarts.get(),
        closed.get());
  }

  /** Services currently cached (for tools and tests). */
  public Set<String> cachedServices() {
    return Set.copyOf(caches.keySet());
  }

  /** Stops every watch, the resolver's threads, and closes the client it made. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      loop.submit(
              () -> {
                for (ServiceCache cache : caches.values()) {
                  cache.close();
                }
                caches.clear();
                Catalog current = catalog;
                if (current != null) {
                  current.close();
                }
              })
          .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
      log.warn("Closing the etcd resolver did not finish cleanly: {}", e.toString());
    } finally {
      loop.shutdownNow();
      listeners.shutdownNow();
      if (ownsClient) {
        client.close();
      }
    }
  }

  // ---- the cache ----

  private ServiceCache cacheOf(String service) {
    ServiceCache cache = cacheEntry(service);
    cache.touch();
    if (cache.snapshot == null) {
      try {
        cache.loaded.get(
            timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        execute(
            () -> {
              if (cache.snapshot == null && cache.subscribers.isEmpty()) {
                caches.remove(service, cache);
                cache.close();
              }
            });
        throw new RegistryException(
            RegistryException.Reason.UNREACHABLE,
            "read "
                + ServiceKeys.servicePrefix(prefix, service)
                + ": etcd did not answer within "
                + timeout
                + " (is etcd running and reachable at the configured endpoints?)",
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException(
            RegistryException.Reason.INTERRUPTED, "resolve " + service + ": interrupted", e);
      } catch (ExecutionException e) {
        if (cache.snapshot == null) {
          throw EtcdCalls.failure(
              "read " + ServiceKeys.servicePrefix(prefix, service), e.getCause());
        }
      }
    }
    return cache;
  }

  /** The service's cache, made (and its first read started) when missing. */
  private ServiceCache cacheEntry(String service) {
    if (service == null || service.isEmpty() || service.indexOf('/') >= 0) {
      throw new IllegalArgumentException(
          "service must be a non-empty name without '/', not " + service);
    }
    if (closed.get()) {
      throw new IllegalStateException("this etcd resolver is closed");
    }
    ServiceCache cache = caches.get(service); // the hot path: no lock, no allocation
    if (cache == null) {
      cache =
          caches.computeIfAbsent(
              service,
              name -> {
                ServiceCache fresh = new ServiceCache(name);
                execute(fresh::read);
                return fresh;
              });
    }
    return cache;
  }

  /**
   * Asks etcd for its current revision (a count-only read of one key) and, when it is below what
   * this resolver has already seen, etcd lost or replaced its data: every watch is waiting for a
   * revision that will not come, so every cached service and the catalog are read again.
   */
  private void checkRevision() {
    Catalog current = catalog;
    if (highestRevision == 0 || (caches.isEmpty() && (current == null || current.names == null))) {
      return;
    }
    // A linearizable read sent now answers at least the revision seen so far; events applied while
    // it is on its way may raise highestRevision, so compare with what was seen when it was sent.
    long seenBefore = highestRevision;
    readThenOnLoop(
        bytes(prefix + "/"),
        GetOption.builder().withCountOnly(true).withLimit(1).build(),
        response -> {
          long revision = response.getHeader().getRevision();
          if (revision >= seenBefore) {
            return;
          }
          log.warn(
              "etcd's revision went back from {} to {}: it lost or replaced its data; reading every cached "
                  + "service again",
              seenBefore,
              revision);
          highestRevision = revision;
          IllegalStateException wentBack =
              new IllegalStateException("etcd's revision went back to " + revision);
          for (ServiceCache cache : caches.values()) {
            cache.restartWatch(wentBack);
          }
          Catalog now = catalog;
          if (now != null) {
            now.restartWatch(wentBack);
          }
        },
        error -> log.debug("Checking etcd's revision failed: {}", error.toString()));
  }

  private void dropIdleServices() {
    long now = System.nanoTime();
    for (ServiceCache cache : caches.values()) {
      if (cache.subscribers.isEmpty()
          && cache.snapshot != null
          && now - cache.lastAccessNanos > idleTimeout.toNanos()) {
        caches.remove(cache.service, cache);
        cache.close();
        log.debug(
            "Dropped {} from the resolver's cache: not resolved for {}",
            cache.service,
            idleTimeout);
      }
    }
  }

  /** An immutable view of one service: what {@link #resolve} returns. */
  private record Snapshot(Result result, long revision) {}

  /** One decoded key. */
  private record Entry(Instance instance, long modRevision) {}

  /**
   * A range of keys the resolver reads, then watches from the next revision, and reads again when
   * the watch ends: at once after a compaction, else after a backoff. Subclasses say what a read
   * and an event mean; answers of an older read or watch never reach them. Loop only, but for what
   * subclasses make volatile.
   */
  private abstract class WatchedRange {
    final ByteSequence range;
    final GetOption readOption;
    final CompletableFuture<Void> loaded = new CompletableFuture<>();
    Watch.Watcher watcher;
    int generation;
    int failures;
    boolean closed;

    WatchedRange(String keyPrefix, GetOption readOption) {
      this.range = bytes(keyPrefix);
      this.readOption = readOption;
    }

    /** What the log calls this range. */
    abstract String what();

    abstract void onRead(GetResponse response);

    abstract void onReadFailed(Throwable error);

    /** Events of the current watch, {@code receivedNanos} after they reached this process. */
    abstract void onEvents(WatchResponse response, long receivedNanos);

    /** Reads the whole range; continues on the loop with the answer. */
    final void read() {
      if (closed) {
        return;
      }
      int readGeneration = ++generation;
      readThenOnLoop(
          range,
          readOption,
          response -> {
            if (!closed && readGeneration == generation) {
              onRead(response);
            }
          },
          error -> {
            if (!closed && readGeneration == generation) {
              onReadFailed(error);
            }
          });
    }

    /** Watches the range from {@code fromRevision}; call after a read. */
    final void watch(long fromRevision) {
      int watchGeneration = generation;
      WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).build();
      Watch.Listener listener =
          Watch.listener(
              response -> {
                long received = System.nanoTime();
                execute(
                    () -> {
                      if (!closed && watchGeneration == generation) {
                        onEvents(response, received);
                      }
                    });
              },
              error -> execute(() -> watchEnded(watchGeneration, error)),
              () -> execute(() -> watchEnded(watchGeneration, null)));
      try {
        watcher = client.getWatchClient().watch(range, option, listener);
      } catch (RuntimeException e) {
        watchEnded(watchGeneration, e);
      }
    }

    private void watchEnded(int watchGeneration, Throwable error) {
      if (closed || watchGeneration != generation) {
        return;
      }
      ++generation; // ignore whatever the old watch still delivers
      closeWatch();
      watchRestarted(error);
      if (error instanceof CompactedException compacted) {
        log.info(
            "Resolver's watch of {} fell behind etcd's compaction (revision {}); reading it again",
            what(),
            compacted.getCompactedRevision());
        read();
      } else {
        log.debug(
            "Resolver's watch of {} ended ({}); reading it again",
            what(),
            error == null ? "completed" : error.toString());
        failures++;
        schedule(this::read, backoff(failures));
      }
    }

    /**
     * Ends a running watch for {@code why} and reads again; without a watch a read is already
     * coming.
     */
    final void restartWatch(Throwable why) {
      if (watcher != null) {
        watchEnded(generation, why);
      }
    }

    void close() {
      closed = true;
      ++generation;
      closeWatch();
      loaded.completeExceptionally(new RegistryException("the resolver is closed"));
    }

    private void closeWatch() {
      if (watcher != null) {
        watcher.close();
        watcher = null;
      }
    }
  }

  /**
   * One service's cache. {@link #snapshot} and {@link #lastAccessNanos} are read anywhere; the rest
   * only on the loop.
   */
  private final class ServiceCache extends WatchedRange {
    final String service;
    volatile Snapshot snapshot;
    volatile long lastAccessNanos = System.nanoTime();

    final TreeMap<String, Entry> entries = new TreeMap<>();
    final Set<String> warned = new HashSet<>();
    final List<Subscriber> subscribers = new ArrayList<>();
    int firstReadRetries;

    /** Written on the loop, read by {@link #status()}. */
    volatile boolean reportedOutage;

    ServiceCache(String service) {
      super(ServiceKeys.servicePrefix(prefix, service), GetOption.builder().isPrefix(true).build());
      this.service = service;
    }

    @Override
    String what() {
      return service;
    }

    void touch() {
      long now = System.nanoTime();
      // Skip the write while fresh: resolve is hot and many threads share this field.
      if (now - lastAccessNanos > TimeUnit.MILLISECONDS.toNanos(100)) {
        lastAccessNanos = now;
      }
    }

    @Override
    void onRead(GetResponse response) {
      entries.clear();
      for (KeyValue kv : response.getKvs()) {
        apply(
            kv.getKey().toString(StandardCharsets.UTF_8),
            kv.getValue().getBytes(),
            kv.getModRevision());
      }
      long revision = response.getHeader().getRevision();
      if (reportedOutage || failures > 0) {
        log.info(
            "Resolver reads {} again: {} instance(s) at revision {}",
            service,
            entries.size(),
            revision);
      }
      failures = 0;
      reportedOutage = false;
      publish(revision, 0);
      loaded.complete(null);
      watch(revision + 1);
    }

    @Override
    void onReadFailed(Throwable error) {
      if (snapshot == null && ++firstReadRetries <= 3 && isTransientlyUnavailable(error)) {
        // e.g. the member this read went to just died: the next attempt goes to another
        schedule(this::read, Duration.ofMillis(50L << firstReadRetries));
        return;
      }
      if (snapshot == null) {
        // Fail the waiting resolves at once; keep trying only for subscribers, else the next
        // resolve starts again.
        loaded.completeExceptionally(error);
        if (subscribers.isEmpty()) {
          closed = true;
          caches.remove(service, this);
          return;
        }
      }
      failures++;
      if (!reportedOutage) {
        reportedOutage = true;
        log.warn(
            "Resolver cannot read {} ({}); serving its last {} instance(s) and retrying",
            service,
            EtcdCalls.describe(error),
            snapshot == null ? 0 : snapshot.result.instances().size());
        for (Subscriber subscriber : subscribers) {
          subscriber.deliverError(error);
        }
      }
      schedule(this::read, backoff(failures));
    }

    @Override
    void onEvents(WatchResponse response, long receivedNanos) {
      if (response.getEvents().isEmpty()) {
        return;
      }
      long revision = snapshot.revision;
      for (WatchEvent event : response.getEvents()) {
        KeyValue kv = event.getKeyValue();
        String key = kv.getKey().toString(StandardCharsets.UTF_8);
        if (event.getEventType() == WatchEvent.EventType.PUT) {
          apply(key, kv.getValue().getBytes(), kv.getModRevision());
        } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
          entries.remove(key);
        }
        revision = Math.max(revision, kv.getModRevision());
      }
      publish(revision, receivedNanos);
    }

    /**
     * Decodes one key's value into the entries, or skips it with one warning per key and revision.
     */
    void apply(String key, byte[] value, long modRevision) {
      try {
        InstanceInfo info = InstanceCodec.decode(value);
        entries.put(
            key,
            new Entry(
                new Instance(
                    info.network(),
                    info.address(),
                    info.effectiveWeight(defaultWeight),
                    info.tags()),
                modRevision));
      } catch (MalformedInstanceException e) {
        entries.remove(key);
        if (warned.add(key + "@" + modRevision)) {
          log.warn(
              "Skipping {}: its value is not an instance the Go extension would read ({})",
              key,
              e.getMessage());
        }
      }
    }

    /**
     * Swaps in a new snapshot and tells subscribers the difference; {@code receivedNanos} is when
     * the watch event behind it arrived, or 0 when a read is.
     */
    void publish(long revision, long receivedNanos) {
      List<Instance> instances = new ArrayList<>(entries.size());
      for (Entry entry : entries.values()) {
        instances.add(entry.instance);
      }
      Result next = new Result(true, service, instances);
      Snapshot previous = snapshot;
      snapshot = new Snapshot(next, revision);
      highestRevision = Math.max(highestRevision, revision);
      if (previous == null) {
        for (Subscriber subscriber : subscribers) {
          subscriber.deliver(new Change(next, next.instances(), List.of(), List.of()));
        }
        return;
      }
      Change change = Diff.defaultDiff(service, previous.result, next);
      if (!change.isEmpty()) {
        for (Subscriber subscriber : subscribers) {
          subscriber.deliver(change, receivedNanos);
        }
      }
    }

    @Override
    void close() {
      super.close();
      subscribers.clear();
    }
  }

  /** One listener: its deliveries run one at a time, in order, on the listener threads. */
  private final class Subscriber implements Subscription {
    private ServiceCache cache; // read and written on the loop
    private final ChangeListener listener;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean cancelled;

    Subscriber(ServiceCache cache, ChangeListener listener) {
      this.cache = cache;
      this.listener = listener;
    }

    void deliver(Change change) {
      enqueue(() -> listener.onChange(change));
    }

    void deliver(Change change, long receivedNanos) {
      if (receivedNanos == 0) {
        deliver(change);
        return;
      }
      enqueue(
          () -> {
            Duration sinceEvent = Duration.ofNanos(System.nanoTime() - receivedNanos);
            emit(e -> e.listenerNotified(cache.service, sinceEvent));
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
        listeners.execute(
            () -> {
              try {
                for (Runnable call = pending.poll();
                    call != null && !cancelled;
                    call = pending.poll()) {
                  try {
                    call.run();
                  } catch (RuntimeException e) {
                    log.warn("A listener of {} threw; it keeps its subscription", cache.service, e);
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
      execute(() -> cache.subscribers.remove(this));
    }
  }

  // ---- every service name ----

  /**
   * The names behind {@link #services()}: a keys-only read of the whole prefix, then a watch of it.
   * {@link #names} is read anywhere; the rest only on the loop.
   */
  private final class Catalog extends WatchedRange {
    volatile Set<String> names;
    final Set<String> keys = new HashSet<>();
    final Map<String, Integer> keysPerService = new HashMap<>();

    /** Written on the loop, read by {@link #status()}. */
    volatile boolean reportedOutage;

    Catalog() {
      super(prefix + "/", GetOption.builder().isPrefix(true).withKeysOnly(true).build());
    }

    @Override
    String what() {
      return "the service names under " + prefix + "/";
    }

    @Override
    void onRead(GetResponse response) {
      keys.clear();
      keysPerService.clear();
      for (KeyValue kv : response.getKvs()) {
        added(kv.getKey().toString(StandardCharsets.UTF_8));
      }
      if (reportedOutage) {
        reportedOutage = false;
        log.info("Resolver reads the service names under {}/ again", prefix);
      }
      failures = 0;
      highestRevision = Math.max(highestRevision, response.getHeader().getRevision());
      names = Set.copyOf(new TreeSet<>(keysPerService.keySet()));
      loaded.complete(null);
      watch(response.getHeader().getRevision() + 1);
    }

    @Override
    void onReadFailed(Throwable error) {
      if (names == null) {
        loaded.completeExceptionally(error);
        return;
      }
      failures++;
      if (!reportedOutage) {
        reportedOutage = true;
        log.warn(
            "Resolver cannot read the service names under {}/ ({}); serving the last {} and retrying",
            prefix,
            EtcdCalls.describe(error),
            names.size());
      }
      schedule(this::read, backoff(failures));
    }

    @Override
    void onEvents(WatchResponse response, long receivedNanos) {
      boolean changed = false;
      for (WatchEvent event : response.getEvents()) {
        String key = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
        if (event.getEventType() == WatchEvent.EventType.PUT) {
          changed |= added(key);
        } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
          changed |= removed(key);
        }
      }
      if (changed) {
        names = Set.copyOf(new TreeSet<>(keysPerService.keySet()));
      }
    }

    /** Counts a new key; returns whether a service appeared. */
    private boolean added(String key) {
      String service = ServiceKeys.serviceOf(prefix, key);
      if (service == null || !keys.add(key)) {
        return false;
      }
      return keysPerService.merge(service, 1, Integer::sum) == 1;
    }

    /** Forgets a key; returns whether its service went away. */
    private boolean removed(String key) {
      String service = ServiceKeys.serviceOf(prefix, key);
      if (service == null || !keys.remove(key)) {
        return false;
      }
      return keysPerService.merge(service, -1, (a, b) -> a + b == 0 ? null : a + b) == null;
    }
  }

  // ---- plumbing ----

  /**
   * Reads {@code range}, bounded by the dial timeout, and continues on the loop with the answer or
   * the failure: jetcd's callback only hands it over.
   */
  private void readThenOnLoop(
      ByteSequence range,
      GetOption option,
      Consumer<GetResponse> onRead,
      Consumer<Throwable> onFailed) {
    CompletableFuture<GetResponse> get;
    try {
      get = client.getKVClient().get(range, option);
    } catch (RuntimeException e) {
      onFailed.accept(e);
      return;
    }
    get.orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
        .whenComplete(
            (response, error) ->
                execute(
                    () -> {
                      if (error != null) {
                        onFailed.accept(error);
                      } else {
                        onRead.accept(response);
                      }
                    }));
  }

  private void watchRestarted(Throwable error) {
    watchRestarts.incrementAndGet();
    EtcdEvents.WatchEnd cause = EtcdCalls.watchEnd(error);
    emit(e -> e.watchRestarted(EtcdEvents.Source.RESOLVER, cause));
  }

  /**
   * Logs what {@code task} throws: the executor would keep it in a future nobody reads, and a
   * periodic task that throws is never run again.
   */
  private static Runnable survivingFailures(Runnable task, String what) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("The resolver failed {} unexpectedly; trying again at the next turn", what, e);
      }
    };
  }

  /** Tells the observer; what it throws is logged, never breaks the resolver. */
  private void emit(Consumer<EtcdEvents> event) {
    try {
      event.accept(events);
    } catch (RuntimeException e) {
      log.warn("The resolver's EtcdEvents observer threw; ignored", e);
    }
  }

  private void execute(Runnable task) {
    try {
      loop.execute(survivingFailures(task, "a task"));
    } catch (RejectedExecutionException closedAlready) {
      // the resolver is closed
    }
  }

  private void schedule(Runnable task, Duration delay) {
    try {
      loop.schedule(survivingFailures(task, "a task"), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closedAlready) {
      // the resolver is closed
    }
  }

  private static boolean isTransientlyUnavailable(Throwable error) {
    return !(error instanceof TimeoutException)
        && EtcdCalls.failure("read", error).reason() == RegistryException.Reason.UNREACHABLE;
  }

  /** 100 ms, doubling to 5 s, with ±20% jitter so many resolvers do not retry in step. */
  private static Duration backoff(int failures) {
    long base =
        Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(failures - 1, 10));
    double factor = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
    return Duration.ofMillis((long) (base * factor));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread =
          new Thread(task, count.getAndIncrement() == 0 ? name : name + "-" + count.get());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "EtcdResolver{prefix="
        + prefix
        + ", defaultWeight="
        + defaultWeight
        + ", cached="
        + caches.size()
        + "}";
  }

  /** Builds an {@link EtcdResolver}. Not thread-safe. */
  public static final class Builder {
    private List<String> endpoints = List.of();
    private final List<Option> options = new ArrayList<>();
    private Client client;
    private Duration idleTimeout = Duration.ofMinutes(10);
    private EtcdEvents events = EtcdEvents.NONE;

    private Builder() {}

    /** etcd endpoints, {@code host:port} or {@code http(s)://host:port}. */
    public Builder endpoints(List<String> endpoints) {
      this.endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
      return this;
    }

    public Builder options(Option... options) {
      this.options.addAll(Arrays.asList(options));
      return this;
    }

    /**
     * Shares a jetcd client (for example with a registry) instead of making one. The resolver does
     * not close it; endpoint, TLS and auth options then have no effect.
     */
    public Builder client(Client client) {
      this.client = Objects.requireNonNull(client, "client");
      return this;
    }

    /** How long a service nobody resolves or subscribes to stays cached (default 10 minutes). */
    public Builder idleTimeout(Duration idleTimeout) {
      if (idleTimeout == null || idleTimeout.isZero() || idleTimeout.isNegative()) {
        throw new IllegalArgumentException("idleTimeout must be positive, not " + idleTimeout);
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Who hears about watch restarts and listener latency, e.g. {@code
     * dev.registryetcd.metrics.EtcdMetrics}.
     */
    public Builder events(EtcdEvents events) {
      this.events = Objects.requireNonNull(events, "events");
      return this;
    }

    /**
     * Makes the resolver. Connects lazily.
     *
     * @throws IllegalArgumentException for bad endpoints or options, or TLS files that do not load
     */
    public EtcdResolver build() {
      return new EtcdResolver(this);
    }
  }
}
