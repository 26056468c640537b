package dev.registryetcd.etcd.internal.watch;

import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.Scheduler;
import dev.registryetcd.etcd.internal.loop.SingleTimer;
import io.etcd.jetcd.common.exception.CompactedException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Follows the keys under a prefix: reads them, watches from the read's revision + 1, and when the
 * watch ends reads again (at once after a compaction, else after a {@link Backoff}) and watches
 * again. The {@link Listener} says what a read and an event mean and decides what a failed read
 * does ({@link #readAfterFailure()}, {@link #readAfter}, or {@link #close()}).
 *
 * <p>Every answer carries the generation it was asked in; answers of an older read or watch (one
 * that ended, was restarted or closed) never reach the listener.
 *
 * <p>Liveness: a watch on a member that stopped answering, or that is cut off from its peers, says
 * nothing, so silence proves nothing. The owner calls {@link #confirm} with etcd's revision from a
 * fresh linearizable read; a watch that has heard that revision (by an event, its creation or a
 * progress notification) is confirmed without a request, else it asks its member for progress, and
 * if the revision is not shown within the {@link Liveness#bound()} the watch is unconfirmed and
 * resumed from the last revision it applied on a new stream (which jetcd's round robin puts on
 * another member; a stream shared by many watches moves once). {@link #isConfirmed()} is false from
 * then, and while a read after a failure is on its way, until the watch is confirmed again. A watch
 * whose stream broke is resumed the same way by the source (no read): its new stream must show,
 * within the bound, the revision the old one had shown. Through an endpoint that answers no
 * progress request ({@link RangeSource.Watching#answersProgress()} false: etcd's grpc-proxy) the
 * watch is confirmed once its range was answered since it last moved, and not moved for want of
 * progress: only the proxy watches etcd there.
 *
 * <p>Threads: all state is owned by the {@link Scheduler}; call every method on it. The listener is
 * called on it too; the source's callbacks only hand work to it.
 *
 * <p>A little over 400 lines because it is the one read → watch → re-read cycle of the codebase
 * (resolver services, the catalog, the registry's own keys and the CLI's watch all use it): its
 * states change together on every answer, and splitting them would spread one state machine.
 */
public final class RangeWatch {
  /** What a {@link RangeWatch} reports, always on its loop. */
  public interface Listener {
    /**
     * A read answered; the watch from {@code read.revision() + 1} starts after this returns, and
     * {@link #failures()} is reset to 0 then.
     */
    void onRead(RangeRead read);

    /**
     * A read failed; nothing more happens unless the listener asks for it, usually with {@link
     * #readAfterFailure()}.
     */
    void onReadFailed(Throwable error);

    /**
     * Events of the current watch, in etcd's order, never none; {@code receivedNanos} is the {@link
     * System#nanoTime()} at which they reached this process.
     */
    void onEvents(List<KvEvent> events, long receivedNanos);

    /**
     * The watch ended with {@code cause} ({@code null}: it completed without an error) or was
     * restarted for it; a read follows, at once for a {@link CompactedException}, else after a
     * backoff. For a {@link WatchUnconfirmedException}, and when the source resumed the watch on a
     * new stream after its stream broke ({@link RangeSource.WatchListener#onResumed}), no read
     * follows: the watch goes on from the last revision it applied, on a new stream.
     */
    void onRestart(Throwable cause);
  }

  /**
   * What to follow.
   *
   * @param prefix every key that starts with it
   * @param keysOnly read the keys without their values
   * @param noPut watch only deletions
   */
  public record Range(String prefix, boolean keysOnly, boolean noPut) {
    /** Keys and values under {@code prefix}, every event. */
    public static Range of(String prefix) {
      return new Range(prefix, false, false);
    }

    /** Keys without values under {@code prefix}, every event. */
    public static Range keysOf(String prefix) {
      return new Range(prefix, true, false);
    }
  }

  /** Moves in a row to another member before waiting for the next {@link #confirm}. */
  private static final int MAX_MOVES = 3;

  private final Range range;
  private final RangeSource source;
  private final Scheduler loop;
  private final Backoff backoff;
  private final Liveness liveness;
  private final Listener listener;

  private RangeSource.Watching watching;
  private int generation;
  private int failures;
  private boolean closed;

  /** The revision up to which the listener has every change: where a moved watch resumes. */
  private long appliedRevision;

  /** The highest revision the current watch (or the read before it) has shown. */
  private long heardRevision;

  /** Written on the loop, read anywhere (status). */
  private volatile boolean confirmed;

  /** Whether the read or watch has answered since the watch last ended, moved or resumed. */
  private boolean answered;

  /** etcd's revision that a pending confirmation waits for, 0 when none is pending. */
  private long wanted;

  /** The bound for showing {@link #wanted}, while one is waited for. */
  private final SingleTimer deadline;

  private int moves;

  /** A watch with the {@link Liveness#DEFAULT} bound. */
  public RangeWatch(
      Range range, RangeSource source, Scheduler loop, Backoff backoff, Listener listener) {
    this(range, source, loop, backoff, Liveness.DEFAULT, listener);
  }

  public RangeWatch(
      Range range,
      RangeSource source,
      Scheduler loop,
      Backoff backoff,
      Liveness liveness,
      Listener listener) {
    this.range = range;
    this.source = source;
    this.loop = loop;
    this.backoff = backoff;
    this.liveness = liveness;
    this.listener = listener;
    this.deadline = new SingleTimer(loop);
  }

  /** What it follows. */
  public Range range() {
    return range;
  }

  /** Reads the whole range (starting or restarting the cycle); the answer comes on the loop. */
  public void read() {
    if (closed) {
      return;
    }
    CompletableFuture<RangeRead> answer;
    try {
      answer = source.read(range.prefix(), range.keysOnly());
    } catch (RuntimeException e) {
      ++generation;
      listener.onReadFailed(e);
      return;
    }
    read(answer);
  }

  /**
   * Takes {@code answer}, a read of this range asked elsewhere (with others, by {@link
   * RangeSource#readEach}), as this range's read: from here on exactly as {@link #read()}, its
   * failure included.
   */
  public void read(CompletableFuture<RangeRead> answer) {
    if (closed) {
      return;
    }
    int readGeneration = ++generation;
    answer.whenComplete(
        (read, error) ->
            loop.execute(
                () -> {
                  if (closed || readGeneration != generation) {
                    return;
                  }
                  if (error != null) {
                    listener.onReadFailed(error);
                  } else {
                    readDone(readGeneration, read);
                  }
                }));
  }

  /**
   * Takes a read made elsewhere (e.g. synchronously by a caller that must fail at once) as this
   * range's read: the listener hears it and the watch starts from its revision + 1, as after {@link
   * #read()}.
   */
  public void accept(RangeRead read) {
    if (closed) {
      return;
    }
    readDone(++generation, read);
  }

  /** {@link #read()} after {@code delay}. */
  public void readAfter(Duration delay) {
    loop.schedule(this::read, delay);
  }

  /** Counts one more failure and {@link #read()}s after the backoff for the count. */
  public void readAfterFailure() {
    failures++;
    readAfter(backoff.delay(failures));
  }

  /**
   * Ends a running watch for {@code why} and reads again; without a watch a read is already coming
   * (or the listener gave up).
   */
  public void restart(Throwable why) {
    if (watching != null) {
      watchEnded(generation, why);
    }
  }

  /** Stops for good: no read, watch or callback after this. */
  public void close() {
    closed = true;
    ++generation;
    closeWatch();
  }

  public boolean isClosed() {
    return closed;
  }

  /** Failures since the last successful read: watch ends other than compactions, failed reads. */
  public int failures() {
    return failures;
  }

  /**
   * Whether the watch is known to be live: read, or shown etcd's revision at the last {@link
   * #confirm}. May be called on any thread.
   */
  public boolean isConfirmed() {
    return confirmed;
  }

  /**
   * Checks that the running watch has reached {@code revision}, etcd's revision from a linearizable
   * read made just now: confirmed at once if it has heard it, else it asks its member for progress
   * and is moved to another member unless the revision shows within the bound. Without a running
   * watch nothing happens (a read is coming, and the watch is unconfirmed meanwhile).
   */
  public void confirm(long revision) {
    if (closed || watching == null) {
      return;
    }
    if (heardRevision >= revision) {
      confirmed();
      return;
    }
    wanted = Math.max(wanted, revision);
    if (!deadline.isPending()) {
      moves = 0;
      watching.requestProgress();
      awaitWanted();
    }
  }

  /**
   * Whether etcd has answered this range since its watch last ended, was moved or resumed on a new
   * stream: a read, an event, or the new stream's creation notice. A watch resumed on a live member
   * answers within moments even when nothing changes; one that does not is still looking for etcd.
   * Call on the loop.
   */
  public boolean hasAnsweredSinceRestart() {
    return answered;
  }

  /**
   * Marks the watch unconfirmed without moving it, e.g. because etcd's revision could not be read:
   * the next {@link #confirm} decides.
   */
  public void unconfirm() {
    confirmed = false;
  }

  private void readDone(int readGeneration, RangeRead read) {
    // Confirmed before the listener hears it: a caller it wakes (a first resolve) may read the
    // status at once. A linearizable read: nothing newer existed when it answered.
    appliedRevision = read.revision();
    heardRevision = read.revision();
    answered = true;
    confirmed();
    listener.onRead(read);
    if (closed || readGeneration != generation) {
      return; // the listener closed or restarted it
    }
    failures = 0;
    watch(read.revision() + 1);
  }

  /**
   * Heard {@code revision} from the running watch; confirms it when it shows what is waited for.
   */
  private void heard(long revision) {
    answered = true;
    heardRevision = Math.max(heardRevision, revision);
    if (wanted > 0 && heardRevision >= wanted) {
      confirmed();
    }
  }

  /**
   * Through an endpoint that answers no progress request (etcd's grpc-proxy, which watches etcd
   * itself for its clients), nothing shows how far the watch got, and a new stream would reach the
   * same kind of endpoint: the watch counts as confirmed once its range was answered (its read, or
   * its creation on its current stream) since it last moved.
   */
  private boolean confirmedAsFarAsItCanShow() {
    return answered && !watching.answersProgress();
  }

  private void confirmed() {
    confirmed = true;
    wanted = 0;
    deadline.cancel(); // it has nothing left to decide
    moves = 0;
  }

  private void awaitWanted() {
    deadline.schedule(this::deadlinePassed, liveness.bound());
  }

  /** The bound passed without the watch showing {@link #wanted}: move it to another member. */
  private void deadlinePassed() {
    if (closed || watching == null) {
      return;
    }
    if (confirmedAsFarAsItCanShow()) {
      confirmed();
      return;
    }
    confirmed = false;
    answered = false;
    Throwable why =
        new WatchUnconfirmedException(wanted, heardRevision, appliedRevision, liveness.bound());
    // The source resumes the watch from the last revision it delivered (= appliedRevision) on a
    // new stream, or leaves it where it is when its stream moved since it asked: either way its
    // current stream's creation notice tells its member's revision, so its own bound tells at once
    // whether it landed on a live member. After a few moves the next confirm decides.
    watching.moveToNewStream(why);
    int movedGeneration = generation;
    listener.onRestart(why);
    if (closed || movedGeneration != generation) {
      return; // the listener closed it or read again
    }
    heardRevision = appliedRevision;
    if (++moves < MAX_MOVES) {
      awaitWanted();
    }
  }

  /**
   * The source moved the running watch to a new stream (its stream broke, or another watch on it
   * was unconfirmed): nothing was missed, but what the old stream showed proves nothing of the new
   * one, which must show it again within the bound.
   */
  private void resumed(Throwable cause) {
    boolean reportedByDeadline = cause instanceof WatchUnconfirmedException && deadline.isPending();
    answered = false;
    long shown = heardRevision;
    heardRevision = appliedRevision;
    if (shown > heardRevision) {
      wanted = Math.max(wanted, shown);
    }
    if (wanted > 0 && !deadline.isPending()) {
      moves = 0;
      awaitWanted();
    }
    if (!reportedByDeadline) {
      listener.onRestart(cause);
    }
  }

  private void watch(long fromRevision) {
    int watchGeneration = generation;
    RangeSource.WatchListener onWatch =
        new RangeSource.WatchListener() {
          @Override
          public void onEvents(List<KvEvent> events, long revision) {
            long received = System.nanoTime();
            loop.execute(
                () -> {
                  if (closed || watchGeneration != generation) {
                    return;
                  }
                  long last = revision;
                  for (KvEvent event : events) {
                    appliedRevision = Math.max(appliedRevision, event.kv().modRevision());
                    last = Math.max(last, event.kv().modRevision());
                  }
                  if (!events.isEmpty()) {
                    listener.onEvents(events, received);
                  }
                  if (!closed && watchGeneration == generation) {
                    heard(last);
                  }
                });
          }

          @Override
          public void onError(Throwable error) {
            loop.execute(() -> watchEnded(watchGeneration, error));
          }

          @Override
          public void onCompleted() {
            loop.execute(() -> watchEnded(watchGeneration, null));
          }

          @Override
          public void onResumed(Throwable cause) {
            loop.execute(
                () -> {
                  if (!closed && watchGeneration == generation) {
                    resumed(cause);
                  }
                });
          }
        };
    try {
      watching = source.watch(range.prefix(), fromRevision, range.noPut(), onWatch);
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
    confirmed = false; // until the read after it answers
    answered = false;
    wanted = 0;
    deadline.cancel();
    listener.onRestart(error);
    if (error instanceof CompactedException) {
      read();
    } else {
      readAfterFailure();
    }
  }

  private void closeWatch() {
    if (watching != null) {
      watching.close();
      watching = null;
    }
  }
}
