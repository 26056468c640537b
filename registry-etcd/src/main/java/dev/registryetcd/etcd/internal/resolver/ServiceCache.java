package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Diff;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import dev.registryetcd.registry.RegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One service's cache: reads {@code {prefix}/{service}/}, watches it, and swaps in a new immutable
 * {@link Result} per change, telling its subscribers the difference. While etcd cannot be read it
 * keeps serving the last instances it knew.
 *
 * <p>Threads: {@link #result()}, {@link #loaded()}, {@link #lastAccessNanos()} and {@link
 * #reportedOutage()} may be read anywhere and {@link #touch()} called anywhere; everything else is
 * owned by the resolver's loop and called only there.
 */
public final class ServiceCache extends FollowedRange {
  private final ResolverContext context;
  private final String service;
  private final Consumer<ServiceCache> gaveUp;
  private volatile Snapshot snapshot;
  private volatile long lastAccessNanos = System.nanoTime();

  private final InstanceTable table;
  private final List<Subscriber> subscribers = new ArrayList<>();

  /** Whether subscribers were told of etcd's silence since etcd last confirmed the watch. */
  private boolean toldSilence;

  private int firstReadRetries;

  /** An immutable view of the service: what a resolve returns, and the revision it is at. */
  private record Snapshot(Result result, long revision) {}

  /**
   * Makes the cache; {@link #start()} reads it.
   *
   * @param gaveUp called on the loop when the first read failed and nobody subscribes: the cache is
   *     closed and the next resolve makes a new one
   */
  public ServiceCache(ResolverContext context, String service, Consumer<ServiceCache> gaveUp) {
    this(context, service, ServiceKeys.servicePrefix(context.prefix(), service), gaveUp);
  }

  private ServiceCache(
      ResolverContext context, String service, String keyPrefix, Consumer<ServiceCache> gaveUp) {
    super(context, RangeWatch.Range.of(keyPrefix));
    this.context = context;
    this.service = service;
    this.gaveUp = gaveUp;
    this.table =
        new InstanceTable(service, keyPrefix, context.defaultWeight(), context::valueSkipped);
  }

  public String service() {
    return service;
  }

  /** The service's instances, or {@code null} before the first read answered. */
  public Result result() {
    Snapshot current = snapshot;
    return current == null ? null : current.result;
  }

  public long lastAccessNanos() {
    return lastAccessNanos;
  }

  /** Notes a resolve, so the cache is not dropped as idle. */
  public void touch() {
    long now = System.nanoTime();
    // Skip the write while fresh: resolve is hot and many threads share this field.
    if (now - lastAccessNanos > TimeUnit.MILLISECONDS.toNanos(100)) {
      lastAccessNanos = now;
    }
  }

  /** Loop only. */
  public boolean hasSubscribers() {
    return !subscribers.isEmpty();
  }

  /** Adds {@code subscriber} and, once read, gives it the current instances. Loop only. */
  public void subscribe(Subscriber subscriber) {
    subscribers.add(subscriber);
    Snapshot current = snapshot;
    if (current != null) {
      Result now = current.result;
      subscriber.deliver(new Change(now, now.instances(), List.of(), List.of()));
    }
  }

  /** Loop only. */
  void unsubscribe(Subscriber subscriber) {
    subscribers.remove(subscriber);
  }

  /** Loop only. */
  public boolean isClosed() {
    return watch.isClosed();
  }

  @Override
  boolean served() {
    return snapshot != null;
  }

  /** Stops the watch for good, fails resolves still waiting and forgets subscribers. Loop only. */
  @Override
  public void close() {
    super.close();
    subscribers.clear();
  }

  @Override
  public void onRead(RangeRead read) {
    Result next = table.replaceAll(read.kvs());
    long revision = read.revision();
    if (reportedOutage || watch.failures() > 0) {
      log()
          .info(
              "Resolver reads {} again: {} instance(s) at revision {}",
              service,
              table.size(),
              revision);
    }
    reportedOutage = false;
    toldSilence = false;
    Snapshot previous = snapshot;
    publish(next, revision);
    if (previous == null) {
      for (Subscriber subscriber : subscribers) {
        subscriber.deliver(new Change(next, next.instances(), List.of(), List.of()));
      }
    } else {
      // After a restart the read may differ in any way from what was known: compare it whole.
      deliver(Diff.defaultDiff(service, previous.result, next), 0);
    }
    loaded.complete(null);
  }

  @Override
  public void onReadFailed(Throwable error) {
    if (snapshot == null && ++firstReadRetries <= 3 && isTransientlyUnavailable(error)) {
      // e.g. the member this read went to just died: the next attempt goes to another
      watch.readAfter(Duration.ofMillis(50L << firstReadRetries));
      return;
    }
    if (snapshot == null) {
      // Fail the waiting resolves at once; keep trying only for subscribers, else the next
      // resolve starts again.
      loaded.completeExceptionally(error);
      if (subscribers.isEmpty()) {
        watch.close();
        gaveUp.accept(this);
        return;
      }
    }
    if (!reportedOutage) {
      reportedOutage = true;
      log()
          .warn(
              "Resolver cannot read {} ({}); serving its last {} instance(s) and retrying",
              service,
              EtcdCalls.describe(error),
              snapshot == null ? 0 : snapshot.result.instances().size());
      if (!toldSilence) {
        tellSubscribers(error);
      }
    }
    watch.readAfterFailure();
  }

  /**
   * etcd did not answer the resolver's checks: tells subscribers once, until etcd confirms the
   * watch again, unless a failed read told them already. A watch resumed on a new stream reads
   * nothing, so without this a subscriber would not hear of an outage that began after its first
   * read. Loop only.
   */
  public void etcdSilent(Throwable error) {
    if (toldSilence || reportedOutage || snapshot == null) {
      return; // told already, or the first read is pending and its failure tells them
    }
    toldSilence = true;
    tellSubscribers(error);
  }

  @Override
  public void confirm(long revision) {
    toldSilence = false;
    super.confirm(revision);
  }

  /**
   * Subscribers (a gRPC channel, a Spring client) show this to users: says what was read from which
   * etcd and why it failed, never a bare TimeoutException without a message.
   */
  private void tellSubscribers(Throwable error) {
    RegistryException failure =
        EtcdCalls.failure(
            "read "
                + ServiceKeys.servicePrefix(context.prefix(), service)
                + " from "
                + context.etcd(),
            error);
    for (Subscriber subscriber : subscribers) {
      subscriber.deliverError(failure);
    }
  }

  @Override
  public void onEvents(List<KvEvent> events, long receivedNanos) {
    if (events.isEmpty()) {
      return;
    }
    long revision = snapshot.revision;
    for (KvEvent event : events) {
      revision = Math.max(revision, event.kv().modRevision());
    }
    Change change = table.apply(events, snapshot.result);
    publish(change.result(), revision);
    deliver(change, receivedNanos);
  }

  @Override
  public void onRestart(Throwable cause) {
    context.watchRestarted(service, cause);
  }

  /** Swaps in the service's new instances. */
  private void publish(Result next, long revision) {
    snapshot = new Snapshot(next, revision);
    context.revisions().seen(revision);
  }

  /**
   * Tells subscribers {@code change} unless empty; {@code receivedNanos} is when the watch event
   * behind it arrived, or 0 when a read is.
   */
  private void deliver(Change change, long receivedNanos) {
    if (!change.isEmpty()) {
      for (Subscriber subscriber : subscribers) {
        subscriber.deliver(change, receivedNanos);
      }
    }
  }

  private org.slf4j.Logger log() {
    return context.log();
  }

  private static boolean isTransientlyUnavailable(Throwable error) {
    return !(error instanceof TimeoutException)
        && EtcdCalls.failure("read", error).reason() == RegistryException.Reason.UNREACHABLE;
  }
}
