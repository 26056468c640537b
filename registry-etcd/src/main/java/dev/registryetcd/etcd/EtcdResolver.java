package dev.registryetcd.etcd;

import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.LiveDiscovery;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Resolver;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.internal.ClientHandle;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.LoopShare;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.resolver.ResolverContext;
import dev.registryetcd.etcd.internal.resolver.RevisionGuard;
import dev.registryetcd.etcd.internal.resolver.ServiceCache;
import dev.registryetcd.etcd.internal.resolver.ServiceCaches;
import dev.registryetcd.etcd.internal.resolver.ServiceNames;
import dev.registryetcd.etcd.internal.resolver.Subscriber;
import dev.registryetcd.etcd.internal.stream.StreamRangeSource;
import dev.registryetcd.etcd.internal.watch.Liveness;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * <p>A watch on a member that froze or was cut off says nothing, so every watch is proved live
 * against etcd's revision every second ({@link Builder#watchLiveness}): one that cannot be makes
 * its service report failing in {@link #status()} and moves to another member. A change in etcd
 * reaches the cache, or the service reports failing, within about 1.5 s.
 *
 * <p>As in Go: a value that does not decode is skipped with one warning naming its key (and one
 * {@link EtcdEvents#valueSkipped}), a weight {@code <= 0} becomes the default weight, and a service
 * without instances is a {@link NoInstanceException} ("no instance remains for echo").
 *
 * <pre>{@code
 * try (EtcdResolver resolver = EtcdResolver.newEtcdResolver(List.of("127.0.0.1:2379"))) {
 *   Result echo = resolver.resolve("echo");
 *   Subscription changes = resolver.subscribe("echo", change -> System.out.println(change));
 * }
 * }</pre>
 *
 * <p>Threads: every watch of the resolver (each service, the service names) is one watch on the
 * jetcd client's single gRPC Watch stream, which the client's other users (a registry on the same
 * client) share. That stream's daemon thread ({@code registry-etcd-watch-stream-N}) receives etcd's
 * answers, and the resolver applies every change and owns the cache's state on that same thread, so
 * that an event reaches the cache without waking another thread. Listeners run on daemon threads of
 * the resolver's ({@code registry-etcd-listener-N}), one call at a time per subscription, or on the
 * stream's thread when subscribed with a direct executor. It owns the jetcd {@link Client} unless
 * one was handed to {@link Builder#client(Client)}.
 */
public final class EtcdResolver implements Resolver, LiveDiscovery {
  // The parts are in etcd.internal.resolver (one service's cache, the caches, the service names
  // and their catalog, a subscriber's queue, the revision guard) on the engine in
  // etcd.internal.watch; this class wires
  // them and keeps the public API. Every mutable state is owned by the loop (the
  // watch stream's thread).
  private static final Logger log = LoggerFactory.getLogger(EtcdResolver.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final String prefix;
  private final int defaultWeight;
  private final Duration timeout;
  private final ClientHandle client;
  private final LoopShare loop;
  private final ExecutorService listeners;
  private final StreamRangeSource source;
  private final ResolverContext context;
  private final ServiceCaches caches;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong watchRestarts = new AtomicLong();
  private final ServiceNames names;

  private EtcdResolver(Builder builder) {
    Settings settings = builder.common.settings();
    this.prefix = settings.prefix();
    this.defaultWeight = settings.defaultWeight();
    this.timeout = settings.dialTimeout();
    this.client = builder.common.connect(settings);
    int id = IDS.incrementAndGet();
    this.source = new StreamRangeSource(client.client(), timeout);
    // The resolver never blocks its loop, so it runs on the watch stream's thread: an event is
    // applied where it arrives, with no second thread to wake (the tail of propagation's p99).
    this.loop = source.stream().loop().share("etcd resolver " + id);
    this.listeners =
        Executors.newCachedThreadPool(SerialLoop.daemonThreads("registry-etcd-listener-" + id));
    Liveness liveness = builder.liveness;
    RevisionGuard revisions =
        new RevisionGuard(
            source,
            prefix + "/",
            loop,
            log,
            liveness,
            this::nothingWatched,
            this::restartEveryWatch,
            this::confirmEveryWatch,
            this::unconfirmEveryWatch,
            this::tellSubscribersEtcdIsSilent);
    this.context =
        new ResolverContext(
            prefix,
            client.description(),
            defaultWeight,
            timeout,
            source,
            loop,
            listeners,
            Backoff.DEFAULT,
            liveness,
            builder.common.events(),
            watchRestarts,
            revisions,
            log);
    Duration idleTimeout = builder.idleTimeout;
    this.caches = new ServiceCaches(context, idleTimeout, closed::get);
    this.names = new ServiceNames(context, closed::get);
    Duration sweep =
        idleTimeout.dividedBy(4).compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofMillis(Math.max(50, idleTimeout.toMillis() / 4))
            : idleTimeout.dividedBy(4);
    loop.every(sweep, caches::dropIdle);
    loop.every(liveness.interval(), revisions::check);
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
    Result result = caches.read(service).result();
    if (result.instances().isEmpty()) {
      throw new NoInstanceException(service);
    }
    return result;
  }

  /**
   * The instances of {@code service} as {@link #resolve} finds them, but an empty list rather than
   * a {@link NoInstanceException} when it has none. The same list object until the service changes.
   *
   * @throws IllegalArgumentException when {@code service} is empty or contains {@code '/'}
   * @throws RegistryException when etcd cannot be read the first time
   */
  @Override
  public List<Instance> instances(String service) {
    return caches.read(service).result().instances();
  }

  /**
   * Calls {@code listener} with the current instances of {@code service}, then with every change,
   * until the returned subscription is closed. Returns at once: the first call comes when the
   * service has been read; while etcd cannot be read, the listener's {@code onError} is called and
   * the resolver keeps trying. A subscribed service stays cached however long it goes unresolved.
   *
   * @throws IllegalArgumentException when {@code service} is empty or contains {@code '/'}
   */
  @Override
  public Subscription subscribe(String service, ChangeListener listener) {
    return subscribe(service, listener, context.listeners());
  }

  /**
   * As {@link #subscribe(String, ChangeListener)}, with {@code listener} called on {@code
   * executor}, one call at a time and in order. With a direct executor ({@code Runnable::run}) the
   * listener runs on the resolver's thread, which is also the client's watch stream thread: it must
   * return at once (while it runs, no watch of the client hears anything) and must not call {@link
   * #resolve}, {@link #instances} or {@link #services} (they may wait for that thread).
   *
   * @throws IllegalArgumentException when {@code service} is empty or contains {@code '/'}
   */
  @Override
  public Subscription subscribe(String service, ChangeListener listener, Executor executor) {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(executor, "executor");
    ServiceCache cache = caches.entry(service);
    Subscriber subscriber = new Subscriber(context, cache, listener, executor);
    loop.execute(() -> caches.attach(subscriber, service));
    return subscriber;
  }

  /**
   * The name of every service with at least one key under the prefix, registered by anyone. The
   * first call reads the prefix's keys (bounded by the dial timeout) and starts a watch of the
   * whole prefix; later calls answer from memory.
   *
   * @throws RegistryException when etcd cannot be read the first time
   */
  @Override
  public Set<String> services() {
    return names.names();
  }

  /**
   * What the resolver caches right now, whether its watches are healthy, and when etcd last
   * answered it. Answers at once, without asking etcd.
   */
  public ResolverStatus status() {
    int instances = 0;
    Set<String> failing = new TreeSet<>();
    for (ServiceCache cache : caches.all()) {
      Result result = cache.result();
      if (result != null) {
        instances += result.instances().size();
      }
      if (cache.failing()) {
        failing.add(cache.service());
      }
    }
    boolean isClosed = closed.get();
    RevisionGuard revisions = context.revisions();
    return new ResolverStatus(
        caches.size(),
        instances,
        failing,
        names.isFailing(),
        watchRestarts.get(),
        isClosed,
        revisions.lastContact(),
        isClosed ? null : revisions.contactBound());
  }

  /** Services currently cached (for tools and tests). */
  public Set<String> cachedServices() {
    return caches.services();
  }

  /** Stops every watch, the resolver's threads, and closes the client it made. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runnable stopWatching =
          () -> {
            caches.closeAll();
            names.close();
          };
      if (!loop.close(stopWatching, timeout)) {
        log.warn("The etcd resolver's watches did not close within {}", timeout);
      }
    } finally {
      listeners.shutdownNow();
      source.close();
      client.close();
    }
  }

  /** For the revision guard, on the loop: whether no service and no service name is followed. */
  private boolean nothingWatched() {
    return caches.isEmpty() && names.isIdle();
  }

  /** For the revision guard, on the loop: etcd lost its data, every range is read again. */
  private void restartEveryWatch(Throwable why) {
    caches.restartAll(why);
    names.restart(why);
  }

  /** For the revision guard, on the loop: every watch is checked against etcd's revision. */
  private void confirmEveryWatch(long revision) {
    caches.confirmAll(revision);
    names.confirm(revision);
  }

  /** For the revision guard, on the loop: etcd's revision could not be read. */
  private void unconfirmEveryWatch() {
    caches.unconfirmAll();
    names.unconfirm();
  }

  /** For the revision guard, on the loop: etcd has not answered two checks in a row. */
  private void tellSubscribersEtcdIsSilent(Throwable error) {
    caches.etcdSilent(error);
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
    private final BuilderSettings common = new BuilderSettings();
    private Duration idleTimeout = Duration.ofMinutes(10);
    private Liveness liveness = Liveness.DEFAULT;

    private Builder() {}

    /** etcd endpoints, {@code host:port} or {@code http(s)://host:port}. */
    public Builder endpoints(List<String> endpoints) {
      common.endpoints(endpoints);
      return this;
    }

    public Builder options(Option... options) {
      common.options(options);
      return this;
    }

    /**
     * Shares a jetcd client (for example with a registry) instead of making one. The resolver does
     * not close it; endpoint, TLS and auth options then have no effect.
     */
    public Builder client(Client client) {
      common.client(client);
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
     * How long a cached service may go without proof that its watch is live (default: every 1 s,
     * answers within 500 ms). Every {@code interval} the resolver reads etcd's revision once
     * (count-only, bounded by {@code bound}), and each watch that has not heard that revision asks
     * its member for progress; a watch that does not show it within {@code bound} makes its service
     * report failing in {@link EtcdResolver#status()} and moves to another member, and a read that
     * fails makes every service report failing until the next one succeeds. So a change in etcd
     * reaches the cache, or its service reports failing, within about {@code interval + bound}.
     *
     * <p>Cost: one read per resolver per interval, plus one progress request per watch per interval
     * only when etcd's revision moved past what that watch has heard (none while its own events
     * flow, none while etcd is idle). With a long lease TTL a longer interval is enough.
     */
    public Builder watchLiveness(Duration interval, Duration bound) {
      this.liveness = new Liveness(interval, bound);
      return this;
    }

    /**
     * Who hears about watch restarts and listener latency, e.g. {@code
     * dev.registryetcd.metrics.EtcdMetrics}.
     */
    public Builder events(EtcdEvents events) {
      common.events(events);
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
