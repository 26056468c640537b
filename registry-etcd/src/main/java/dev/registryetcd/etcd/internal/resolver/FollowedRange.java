package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import dev.registryetcd.registry.RegistryException;
import java.util.concurrent.CompletableFuture;

/**
 * A range of keys the resolver follows with a {@link RangeWatch}: one service's instances ({@link
 * ServiceCache}) or the service names ({@link Catalog}). Both start, report an outage, answer the
 * resolver's liveness checks and close alike; that lives here, what a read and an event mean in
 * each.
 *
 * <p>Threads: {@link #loaded()}, {@link #reportedOutage()} and {@link #failing()} may be called
 * anywhere; everything else is owned by the resolver's loop and called only there.
 */
abstract class FollowedRange implements RangeWatch.Listener {
  final RangeWatch watch;
  final CompletableFuture<Void> loaded = new CompletableFuture<>();

  /** Whether a failed read was reported and no read answered since. Written on the loop. */
  volatile boolean reportedOutage;

  FollowedRange(ResolverContext context, RangeWatch.Range range) {
    // RangeWatch only keeps its listener here; it calls it from start() on.
    this.watch =
        new RangeWatch(
            range, context.source(), context.loop(), context.backoff(), context.liveness(), this);
  }

  /** Whether a read has answered once, so there is something served. Any thread. */
  abstract boolean served();

  /** Starts the first read. Loop only. */
  public void start() {
    watch.read();
  }

  /**
   * Starts with {@code firstRead}, a read of its range asked together with others' ({@link
   * dev.registryetcd.etcd.internal.watch.RangeSource#readEach}). Loop only.
   */
  public void start(CompletableFuture<RangeRead> firstRead) {
    watch.read(firstRead);
  }

  /** The range's prefix. */
  public String prefix() {
    return watch.range().prefix();
  }

  /**
   * Completes when the first read answered, exceptionally when it failed or the range was closed.
   */
  public CompletableFuture<Void> loaded() {
    return loaded;
  }

  public boolean reportedOutage() {
    return reportedOutage;
  }

  /**
   * Whether it is followed but not known to be up to date: its last read failed, or its watch is
   * unconfirmed or being read again. May be called on any thread.
   */
  public boolean failing() {
    return reportedOutage || (served() && !watch.isConfirmed());
  }

  /**
   * Confirms its watch against etcd's {@code revision}, see {@link RangeWatch#confirm}. Loop only.
   */
  public void confirm(long revision) {
    watch.confirm(revision);
  }

  /** Marks its watch unconfirmed, see {@link RangeWatch#unconfirm}. Loop only. */
  public void unconfirm() {
    watch.unconfirm();
  }

  /** Ends the watch for {@code why} and reads the range again. Loop only. */
  public void restart(Throwable why) {
    watch.restart(why);
  }

  /** Stops the watch for good and fails resolves still waiting for the first read. Loop only. */
  public void close() {
    watch.close();
    loaded.completeExceptionally(new RegistryException("the resolver is closed"));
  }
}
