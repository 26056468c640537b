package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a {@link RangeWatch} asks of etcd: read a prefix, watch it from a revision. {@code
 * StreamRangeSource} (in {@code etcd.internal.stream}) asks etcd, every watch of a client on one
 * shared gRPC stream; tests answer by hand.
 *
 * <p>Futures complete, and listeners are called, on the source's threads (jetcd's, the stream's):
 * callers only hand the answer to their own loop. One watch's listener is called one call at a
 * time, in etcd's order. A future fails with the call's own error, not wrapped, and with a {@link
 * java.util.concurrent.TimeoutException} when etcd did not answer in time.
 */
public interface RangeSource {
  /**
   * Reads every key under {@code prefix}, only their names when {@code keysOnly}.
   *
   * @throws RuntimeException when the request cannot even be sent (e.g. the client is closed)
   */
  CompletableFuture<RangeRead> read(String prefix, boolean keysOnly);

  /**
   * Reads every key under each of {@code prefixes}, as {@link #read} does for one, in as few
   * requests as the source can: one answer per prefix, in the same order, each as {@link #read}'s
   * would be (its own revision, its own error). A resolver starting many services at once asks for
   * them so. The default reads each prefix on its own.
   *
   * @throws RuntimeException when the requests cannot even be sent
   */
  default List<CompletableFuture<RangeRead>> readEach(List<String> prefixes, boolean keysOnly) {
    List<CompletableFuture<RangeRead>> answers = new ArrayList<>(prefixes.size());
    for (String prefix : prefixes) {
      answers.add(read(prefix, keysOnly));
    }
    return answers;
  }

  /**
   * Watches every key under {@code prefix} from {@code fromRevision}; only deletions when {@code
   * noPut}. The watch requires a leader (a member that lost its leader ends it) and reports its
   * creation, so its first answer already tells how far its member is.
   *
   * @throws RuntimeException when the watch cannot even be started
   */
  Watching watch(String prefix, long fromRevision, boolean noPut, WatchListener listener);

  /**
   * etcd's current revision, from a linearizable count-only read of {@code key}, failing with a
   * {@link java.util.concurrent.TimeoutException} after {@code timeout}.
   *
   * @throws RuntimeException when the request cannot even be sent
   */
  CompletableFuture<Long> revision(String key, Duration timeout);

  /** Hears what a watch reports, on the source's threads. */
  interface WatchListener {
    /**
     * One watch response: its events, possibly none (its creation, a progress notification), and
     * the revision its member was at ({@code 0} when unknown).
     */
    void onEvents(List<KvEvent> events, long revision);

    /** The watch ended with {@code error}, e.g. a {@code CompactedException}. */
    void onError(Throwable error);

    /** The watch ended without an error. */
    void onCompleted();

    /**
     * The stream under the watch broke for {@code cause} ({@code null}: etcd ended it), or was
     * moved to another member because a watch on it was unconfirmed ({@code cause} is then that
     * watch's {@link WatchUnconfirmedException}): the watch goes on, on a new stream, from the
     * revision after the last event it delivered, so nothing is missed or repeated. Said once per
     * break, not per attempt while etcd cannot be reached; the new stream's creation notice (an
     * {@link #onEvents} without events) follows when it is open.
     */
    void onResumed(Throwable cause);
  }

  /** A running watch. */
  interface Watching {
    /** Stops the watch; what it still reports afterwards may arrive and is to be ignored. */
    void close();

    /**
     * Asks the watch's member for a progress notification (a response without events that tells its
     * revision). Never blocks; a watch not yet open may drop it.
     */
    void requestProgress();

    /**
     * Whether the watch's endpoint answers {@link #requestProgress()}: true unless it is known not
     * to, as etcd's grpc-proxy, which answers none.
     */
    default boolean answersProgress() {
      return true;
    }

    /**
     * The watch did not show etcd's revision in time ({@code why}): move it to a new stream (which
     * the channel puts on another member), resuming it from the revision after its last event. A
     * source that shares a stream among watches moves the stream once, not once per watch: not
     * again if it moved since this watch last asked for progress (or was moved), and every other
     * watch on it hears {@link WatchListener#onResumed}.
     */
    void moveToNewStream(Throwable why);
  }
}
