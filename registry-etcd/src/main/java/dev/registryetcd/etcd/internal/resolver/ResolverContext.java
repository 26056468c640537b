package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.UntrustedText;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.Scheduler;
import dev.registryetcd.etcd.internal.watch.Liveness;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import dev.registryetcd.etcd.internal.watch.WatchUnconfirmedException;
import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.common.exception.CompactedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * What the resolver's parts share: its settings, etcd, its loop and listener threads, its observer
 * and its log (the parts log as the resolver, so logging configured for {@code EtcdResolver} still
 * applies).
 *
 * @param prefix the registry prefix, without the trailing slash
 * @param etcd which etcd, for messages: {@code "etcd at http://10.0.0.1:2379"}
 * @param defaultWeight the weight of an instance registered with a weight {@code <= 0}
 * @param timeout the dial timeout, which bounds every read
 * @param source etcd
 * @param loop the resolver's loop thread, owner of every part's mutable state
 * @param listeners where listeners are called
 * @param backoff the wait between reads while etcd fails
 * @param liveness how long a watch may go unconfirmed
 * @param events the resolver's observer
 * @param watchRestarts how many watches ended and were started again, for the status
 * @param revisions the guard every read and event reports its revision to
 * @param log the resolver's logger
 */
public record ResolverContext(
    String prefix,
    String etcd,
    int defaultWeight,
    Duration timeout,
    RangeSource source,
    Scheduler loop,
    Executor listeners,
    Backoff backoff,
    Liveness liveness,
    EtcdEvents events,
    AtomicLong watchRestarts,
    RevisionGuard revisions,
    Logger log) {

  /** Tells the observer; what it throws is logged, never breaks the resolver. */
  public void emit(Consumer<EtcdEvents> event) {
    try {
      event.accept(events);
    } catch (RuntimeException e) {
      log.warn("The resolver's EtcdEvents observer threw; ignored", e);
    }
  }

  /**
   * Waits for a first read a little longer than the read's own time-out (which fails {@code loaded}
   * with a clearer error); on time-out runs {@code abandon} and says etcd did not answer.
   *
   * @param what the read, for the message: {@code "read kitex/registry-etcd/echo/"}
   * @param caller what was called, for the message when interrupted: {@code "resolve echo"}
   * @throws ExecutionException when the read failed
   */
  public void awaitFirstRead(
      CompletableFuture<Void> loaded, String what, String caller, Runnable abandon)
      throws ExecutionException {
    try {
      loaded.get(timeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      abandon.run();
      throw new RegistryException(
          RegistryException.Reason.UNREACHABLE,
          what
              + ": etcd did not answer within "
              + timeout
              + " (is "
              + etcd
              + " running and reachable?)",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(
          RegistryException.Reason.INTERRUPTED, caller + ": interrupted", e);
    }
  }

  /**
   * Logs once at WARN and reports that the value under {@code key} is skipped for {@code why}, both
   * escaped: they come from etcd.
   */
  void valueSkipped(String key, String why) {
    String safeKey = UntrustedText.of(key);
    String safeWhy = UntrustedText.of(why);
    log.warn("Skipping {}: its value is not an instance ({})", safeKey, safeWhy);
    emit(e -> e.valueSkipped(safeKey, safeWhy));
  }

  /** Counts, reports and logs that the watch of {@code what} ended for {@code cause}. */
  void watchRestarted(String what, Throwable cause) {
    watchRestarts.incrementAndGet();
    EtcdEvents.WatchEnd end =
        cause instanceof WatchUnconfirmedException
            ? EtcdEvents.WatchEnd.UNCONFIRMED
            : EtcdCalls.watchEnd(cause);
    emit(e -> e.watchRestarted(EtcdEvents.Source.RESOLVER, end));
    if (cause instanceof CompactedException compacted) {
      log.info(
          "Resolver's watch of {} fell behind etcd's compaction (revision {}); reading it again",
          what,
          compacted.getCompactedRevision());
    } else if (cause instanceof WatchUnconfirmedException unconfirmed) {
      log.info(
          "Resolver's watch of {} is unconfirmed ({}); resuming it from revision {} on a new stream",
          what,
          unconfirmed.getMessage(),
          unconfirmed.applied() + 1);
    } else {
      log.debug(
          "Resolver's watch of {} ended ({}); reading it again",
          what,
          cause == null ? "completed" : cause.toString());
    }
  }
}
