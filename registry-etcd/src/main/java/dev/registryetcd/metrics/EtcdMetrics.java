package dev.registryetcd.metrics;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.RegistryStatus;
import dev.registryetcd.etcd.ResolverStatus;
import dev.registryetcd.events.EtcdEvents;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for etcd registries and resolvers. Pass it to their builders as {@link
 * EtcdEvents}, {@linkplain #monitor(EtcdRegistry) monitor} them, and bind it to a {@link
 * MeterRegistry} (Spring Boot binds every {@link MeterBinder} bean itself):
 *
 * <pre>{@code
 * EtcdMetrics metrics = new EtcdMetrics();
 * EtcdRegistry registry = EtcdRegistry.builder().endpoints(endpoints).events(metrics).build();
 * EtcdResolver resolver = EtcdResolver.builder().endpoints(endpoints).events(metrics).build();
 * metrics.monitor(registry).monitor(resolver).bindTo(meterRegistry);
 * }</pre>
 *
 * <table>
 *   <caption>Meters (summed over every monitored registry or resolver)</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 *   <tr><td>{@code registry.etcd.registrations}</td><td>gauge</td><td></td><td>instances kept registered</td></tr>
 *   <tr><td>{@code registry.etcd.lease.recoveries}</td><td>counter</td><td></td><td>new leases granted after a loss, with everything put back</td></tr>
 *   <tr><td>{@code registry.etcd.keepalive.failures}</td><td>counter</td><td>{@code cause}: lease_not_found, no_answer, stream_error</td><td>keep-alive failures</td></tr>
 *   <tr><td>{@code registry.etcd.keys.restored}</td><td>counter</td><td></td><td>keys deleted or taken off its lease behind a registry's back, and put back</td></tr>
 *   <tr><td>{@code registry.etcd.watch.restarts}</td><td>counter</td><td>{@code source}: registry, resolver; {@code cause}: compacted, unavailable, completed, error, unconfirmed</td><td>watches ended and started again</td></tr>
 *   <tr><td>{@code registry.etcd.cache.services}</td><td>gauge</td><td></td><td>services in resolver caches</td></tr>
 *   <tr><td>{@code registry.etcd.cache.instances}</td><td>gauge</td><td></td><td>instances in resolver caches</td></tr>
 *   <tr><td>{@code registry.etcd.cache.unconfirmed}</td><td>gauge</td><td></td><td>cached services (and service-name lists) not confirmed up to date: their watch did not show etcd's revision within the liveness bound, is being read again, or etcd cannot be read; the resolver's status reports them failing</td></tr>
 *   <tr><td>{@code registry.etcd.values.skipped}</td><td>counter</td><td></td><td>values under the prefix a resolver skipped because they are not instances (once per key and revision; the key is in the WARN log and {@link EtcdEvents#valueSkipped})</td></tr>
 *   <tr><td>{@code registry.etcd.listener.latency}</td><td>timer</td><td></td><td>from a watch event reaching the process to a listener called with the change</td></tr>
 * </table>
 *
 * <p>Counters count from this object's creation, also before it is bound. Thread-safe. Micrometer
 * is an optional dependency of this library: this class needs {@code micrometer-core} on the class
 * path, nothing else does.
 */
public final class EtcdMetrics implements EtcdEvents, MeterBinder {
  private final Tags tags;
  private final List<EtcdRegistry> registries = new CopyOnWriteArrayList<>();
  private final List<EtcdResolver> resolvers = new CopyOnWriteArrayList<>();
  private final AtomicLong leaseRecoveries = new AtomicLong();
  private final AtomicLong keysRestored = new AtomicLong();
  private final AtomicLong valuesSkipped = new AtomicLong();
  private final Map<KeepAliveFailure, AtomicLong> keepAliveFailures =
      new EnumMap<>(KeepAliveFailure.class);
  private final Map<Source, Map<WatchEnd, AtomicLong>> watchRestarts = new EnumMap<>(Source.class);
  private final List<Timer> listenerLatency = new CopyOnWriteArrayList<>();

  /** Meters without extra tags. */
  public EtcdMetrics() {
    this(Tags.empty());
  }

  /** Meters that carry {@code tags} besides their own, e.g. {@code Tags.of("cluster", "east")}. */
  public EtcdMetrics(Iterable<Tag> tags) {
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    for (KeepAliveFailure failure : KeepAliveFailure.values()) {
      keepAliveFailures.put(failure, new AtomicLong());
    }
    for (Source source : Source.values()) {
      Map<WatchEnd, AtomicLong> causes = new EnumMap<>(WatchEnd.class);
      for (WatchEnd cause : WatchEnd.values()) {
        causes.put(cause, new AtomicLong());
      }
      watchRestarts.put(source, causes);
    }
  }

  /** Adds {@code registry}'s registrations to the gauges; a closed registry drops out by itself. */
  public EtcdMetrics monitor(EtcdRegistry registry) {
    registries.add(Objects.requireNonNull(registry, "registry"));
    return this;
  }

  /** Adds {@code resolver}'s cache to the gauges; a closed resolver drops out by itself. */
  public EtcdMetrics monitor(EtcdResolver resolver) {
    resolvers.add(Objects.requireNonNull(resolver, "resolver"));
    return this;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    gauge(
        meters,
        "registry.etcd.registrations",
        "Instances the etcd registries keep registered",
        m -> m.sumOfRegistries(RegistryStatus::registrations));
    gauge(
        meters,
        "registry.etcd.cache.services",
        "Services in the etcd resolvers' caches",
        m -> m.sumOfResolvers(ResolverStatus::cachedServices));
    gauge(
        meters,
        "registry.etcd.cache.instances",
        "Instances in the etcd resolvers' caches",
        m -> m.sumOfResolvers(ResolverStatus::cachedInstances));
    gauge(
        meters,
        "registry.etcd.cache.unconfirmed",
        "Cached services (and service-name lists) of the etcd resolvers not confirmed up to date",
        m ->
            m.sumOfResolvers(
                status ->
                    status.failingServices().size() + (status.serviceNamesFailing() ? 1 : 0)));
    counter(
        meters,
        "registry.etcd.lease.recoveries",
        "Times a registry granted a new lease after losing one and put every registration back",
        Tags.empty(),
        leaseRecoveries);
    counter(
        meters,
        "registry.etcd.keys.restored",
        "Keys deleted or taken off its lease behind a registry's back, and put back",
        Tags.empty(),
        keysRestored);
    counter(
        meters,
        "registry.etcd.values.skipped",
        "Values under the prefix a resolver skipped because they are not instances",
        Tags.empty(),
        valuesSkipped);
    keepAliveFailures.forEach(
        (cause, count) ->
            counter(
                meters,
                "registry.etcd.keepalive.failures",
                "Failures of the keep-alive of a registry's lease",
                Tags.of("cause", tagValue(cause)),
                count));
    watchRestarts.forEach(
        (source, causes) ->
            causes.forEach(
                (cause, count) ->
                    counter(
                        meters,
                        "registry.etcd.watch.restarts",
                        "Watches of etcd that ended and were started again",
                        Tags.of("source", tagValue(source), "cause", tagValue(cause)),
                        count)));
    listenerLatency.add(
        Timer.builder("registry.etcd.listener.latency")
            .description(
                "From a watch event reaching the process to a resolver listener called with the change")
            .tags(tags)
            .register(meters));
  }

  @Override
  public void keepAliveFailed(KeepAliveFailure failure) {
    keepAliveFailures.get(failure).incrementAndGet();
  }

  @Override
  public void leaseRecovered(int registrations) {
    leaseRecoveries.incrementAndGet();
  }

  @Override
  public void keyRestored() {
    keysRestored.incrementAndGet();
  }

  @Override
  public void watchRestarted(Source source, WatchEnd cause) {
    watchRestarts.get(source).get(cause).incrementAndGet();
  }

  @Override
  public void valueSkipped(String key, String reason) {
    valuesSkipped.incrementAndGet();
  }

  @Override
  public void listenerNotified(String service, Duration sinceEvent) {
    for (Timer timer : listenerLatency) {
      timer.record(sinceEvent);
    }
  }

  private void gauge(
      MeterRegistry meters, String name, String description, ToDoubleFunction<EtcdMetrics> value) {
    Gauge.builder(name, this, value)
        .description(description)
        .tags(tags)
        .strongReference(true)
        .register(meters);
  }

  private void counter(
      MeterRegistry meters, String name, String description, Tags extra, AtomicLong count) {
    FunctionCounter.builder(name, count, AtomicLong::doubleValue)
        .description(description)
        .tags(tags.and(extra))
        .register(meters);
  }

  private double sumOfRegistries(ToDoubleFunction<RegistryStatus> value) {
    double sum = 0;
    for (EtcdRegistry registry : registries) {
      RegistryStatus status = registry.status();
      if (status.closed()) {
        registries.remove(registry);
      } else {
        sum += value.applyAsDouble(status);
      }
    }
    return sum;
  }

  private double sumOfResolvers(ToDoubleFunction<ResolverStatus> value) {
    double sum = 0;
    for (EtcdResolver resolver : resolvers) {
      ResolverStatus status = resolver.status();
      if (status.closed()) {
        resolvers.remove(resolver);
      } else {
        sum += value.applyAsDouble(status);
      }
    }
    return sum;
  }

  private static String tagValue(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return "EtcdMetrics{registries="
        + registries.size()
        + ", resolvers="
        + resolvers.size()
        + ", tags="
        + tags
        + "}";
  }
}
