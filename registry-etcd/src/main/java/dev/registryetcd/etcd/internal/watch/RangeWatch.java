package dev.registryetcd.etcd.internal.watch;

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
 * <p>Threads: all state is owned by the {@link TaskLoop}; call every method on it. The listener is
 * called on it too; the source's callbacks only hand work to it.
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
     * Events of the current watch, in etcd's order; {@code receivedNanos} is the {@link
     * System#nanoTime()} at which they reached this process.
     */
    void onEvents(List<KvEvent> events, long receivedNanos);

    /**
     * The watch ended with {@code cause} ({@code null}: it completed without an error) or was
     * restarted for it; a read follows, at once for a {@link CompactedException}, else after a
     * backoff.
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

  private final Range range;
  private final RangeSource source;
  private final TaskLoop loop;
  private final Backoff backoff;
  private final Listener listener;

  private RangeSource.Watching watching;
  private int generation;
  private int failures;
  private boolean closed;

  public RangeWatch(
      Range range, RangeSource source, TaskLoop loop, Backoff backoff, Listener listener) {
    this.range = range;
    this.source = source;
    this.loop = loop;
    this.backoff = backoff;
    this.listener = listener;
  }

  /** Reads the whole range (starting or restarting the cycle); the answer comes on the loop. */
  public void read() {
    if (closed) {
      return;
    }
    int readGeneration = ++generation;
    CompletableFuture<RangeRead> answer;
    try {
      answer = source.read(range.prefix(), range.keysOnly());
    } catch (RuntimeException e) {
      listener.onReadFailed(e);
      return;
    }
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

  private void readDone(int readGeneration, RangeRead read) {
    listener.onRead(read);
    if (closed || readGeneration != generation) {
      return; // the listener closed or restarted it
    }
    failures = 0;
    watch(read.revision() + 1);
  }

  private void watch(long fromRevision) {
    int watchGeneration = generation;
    RangeSource.WatchListener onWatch =
        new RangeSource.WatchListener() {
          @Override
          public void onEvents(List<KvEvent> events) {
            long received = System.nanoTime();
            loop.execute(
                () -> {
                  if (!closed && watchGeneration == generation) {
                    listener.onEvents(events, received);
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
