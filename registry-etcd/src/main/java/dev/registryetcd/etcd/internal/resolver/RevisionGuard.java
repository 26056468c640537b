package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.loop.Scheduler;
import dev.registryetcd.etcd.internal.watch.Liveness;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;

/**
 * The resolver's one periodic read of etcd's revision, every {@link Liveness#interval()} while
 * anything is watched, bounded by {@link Liveness#bound()}. It serves two checks:
 *
 * <ul>
 *   <li>Liveness: each watch is {@linkplain RangeWatch#confirm confirmed} against the revision (a
 *       watch on a frozen, cut-off or lagging member cannot show it, and is moved). A read that
 *       fails confirms nothing: every watch is unconfirmed (its service reports failing) and the
 *       read is tried once more at once, which jetcd's round robin sends to another member.
 *   <li>Lost data: a revision below the highest one any read or watch has seen means etcd lost or
 *       replaced its data (a watch resumed there waits for a revision that may never come, and says
 *       nothing), so every watch is restarted.
 *   <li>Last contact: every read and event reports its revision here ({@link #seen}), and the
 *       revision read answers here too, so the guard knows when etcd last answered the resolver
 *       ({@link #lastContact()}), and how long it may go without an answer ({@link
 *       #contactBound()}).
 * </ul>
 *
 * <p>Threads: its state is owned by the resolver's loop; call every method there, except {@link
 * #lastContact()} and {@link #contactBound()}, which read what the loop published.
 */
public final class RevisionGuard {
  private final RangeSource source;
  private final String key;
  private final Scheduler loop;
  private final Logger log;
  private final Liveness liveness;
  private final BooleanSupplier nothingWatched;
  private final Consumer<Throwable> restartAll;
  private final LongConsumer confirmAll;
  private final Runnable unconfirmAll;
  private final Consumer<Throwable> silent;

  /** The highest revision any read or watch of the resolver has seen. */
  private long highestRevision;

  private boolean reading;
  private int failuresInRow;

  private final Clock clock = Clock.systemUTC();

  /** Written by the loop only; read anywhere for the status. */
  private volatile Instant lastContact;

  /** Whether anything was watched at the last {@link #check()}; written by the loop only. */
  private volatile boolean watching;

  /**
   * @param key the key whose count-only read tells the revision: {@code {prefix}/}
   * @param nothingWatched whether no service and no catalog is being followed
   * @param restartAll restarts every watch of the resolver for the given reason
   * @param confirmAll {@link RangeWatch#confirm}s every watch of the resolver with the revision
   * @param unconfirmAll {@link RangeWatch#unconfirm}s every watch of the resolver
   * @param silent told once, with the error, when two checks in a row failed; not again until a
   *     check succeeded
   */
  public RevisionGuard(
      RangeSource source,
      String key,
      Scheduler loop,
      Logger log,
      Liveness liveness,
      BooleanSupplier nothingWatched,
      Consumer<Throwable> restartAll,
      LongConsumer confirmAll,
      Runnable unconfirmAll,
      Consumer<Throwable> silent) {
    this.source = source;
    this.key = key;
    this.loop = loop;
    this.log = log;
    this.liveness = liveness;
    this.nothingWatched = nothingWatched;
    this.restartAll = restartAll;
    this.confirmAll = confirmAll;
    this.unconfirmAll = unconfirmAll;
    this.silent = silent;
  }

  /** Records that a read or watch saw {@code revision}: etcd answered. */
  public void seen(long revision) {
    highestRevision = Math.max(highestRevision, revision);
    lastContact = clock.instant();
  }

  /**
   * When etcd last answered the resolver, or null before its first answer. May be called anywhere.
   */
  public Instant lastContact() {
    return lastContact;
  }

  /**
   * How long the resolver may go without an answer while etcd works, or null while nothing is
   * watched (then the resolver asks etcd nothing): three liveness intervals and the bound, so that
   * two checks in a row may fail (the first is tried again at once, through another member) before
   * etcd counts as silent. May be called anywhere.
   */
  public Duration contactBound() {
    return watching ? liveness.interval().multipliedBy(3).plus(liveness.bound()) : null;
  }

  /**
   * Reads etcd's current revision (a linearizable count-only read of one key, bounded by the
   * liveness bound); then confirms every watch against it, or restarts them all when it went back.
   * Skipped while nothing is watched or a read is still on its way.
   */
  public void check() {
    watching = !nothingWatched.getAsBoolean();
    if (reading || highestRevision == 0 || !watching) {
      return;
    }
    // A linearizable read sent now answers at least the revision seen so far; events applied while
    // it is on its way may raise highestRevision, so compare with what was seen when it was sent.
    long seenBefore = highestRevision;
    CompletableFuture<Long> answer;
    try {
      answer = source.revision(key, liveness.bound());
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    reading = true;
    answer.whenComplete(
        (revision, error) ->
            loop.execute(
                () -> {
                  reading = false;
                  if (error != null) {
                    failed(error);
                  } else {
                    answered(revision, seenBefore);
                  }
                }));
  }

  private void answered(long revision, long seenBefore) {
    lastContact = clock.instant();
    if (failuresInRow > 1) {
      log.info("Resolver reads etcd's revision again; confirming its watches");
    }
    failuresInRow = 0;
    if (revision >= seenBefore) {
      confirmAll.accept(revision);
      return;
    }
    log.warn(
        "etcd's revision went back from {} to {}: it lost or replaced its data; reading every cached "
            + "service again",
        seenBefore,
        revision);
    highestRevision = revision;
    restartAll.accept(new IllegalStateException("etcd's revision went back to " + revision));
  }

  private void failed(Throwable error) {
    unconfirmAll.run();
    failuresInRow++;
    if (failuresInRow == 1) {
      // Often one member that does not answer: round robin sends the next read elsewhere.
      log.debug("Checking etcd's revision failed, trying again at once: {}", error.toString());
      loop.execute(this::check);
    } else if (failuresInRow == 2) {
      log.warn(
          "Resolver cannot read etcd's revision ({}); its watches count as unconfirmed (their "
              + "services report failing) until it can",
          error.toString());
      // A watch resumed on a new stream reads nothing, so no failed read tells subscribers that
      // etcd is gone: this does, once per outage.
      silent.accept(error);
    }
  }
}
