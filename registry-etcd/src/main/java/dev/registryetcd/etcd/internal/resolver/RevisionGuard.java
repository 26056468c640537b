package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.watch.RangeSource;
import dev.registryetcd.etcd.internal.watch.TaskLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Notices that etcd lost or replaced its data: a watch resumed by jetcd on such an etcd waits for a
 * revision that may never come, and says nothing. So every {@link #PERIOD} the resolver asks etcd
 * for its revision and, when it is below the highest one any read or watch has seen, restarts every
 * watch.
 *
 * <p>Threads: its state is owned by the resolver's loop; call every method there.
 */
public final class RevisionGuard {
  /** How often the resolver asks etcd for its revision. */
  public static final Duration PERIOD = Duration.ofSeconds(3);

  private final RangeSource source;
  private final String key;
  private final TaskLoop loop;
  private final Logger log;
  private final BooleanSupplier nothingWatched;
  private final Consumer<Throwable> restartAll;

  /** The highest revision any read or watch of the resolver has seen. */
  private long highestRevision;

  /**
   * @param key the key whose count-only read tells the revision: {@code {prefix}/}
   * @param nothingWatched whether no service and no catalog is being followed
   * @param restartAll restarts every watch of the resolver for the given reason
   */
  public RevisionGuard(
      RangeSource source,
      String key,
      TaskLoop loop,
      Logger log,
      BooleanSupplier nothingWatched,
      Consumer<Throwable> restartAll) {
    this.source = source;
    this.key = key;
    this.loop = loop;
    this.log = log;
    this.nothingWatched = nothingWatched;
    this.restartAll = restartAll;
  }

  /** Records that a read or watch saw {@code revision}. */
  public void seen(long revision) {
    highestRevision = Math.max(highestRevision, revision);
  }

  /**
   * Asks etcd for its current revision (a count-only read of one key) and, when it is below what
   * the resolver has already seen, restarts every watch so every cached range is read again.
   */
  public void check() {
    if (highestRevision == 0 || nothingWatched.getAsBoolean()) {
      return;
    }
    // A linearizable read sent now answers at least the revision seen so far; events applied while
    // it is on its way may raise highestRevision, so compare with what was seen when it was sent.
    long seenBefore = highestRevision;
    CompletableFuture<Long> answer;
    try {
      answer = source.revision(key);
    } catch (RuntimeException e) {
      failed(e);
      return;
    }
    answer.whenComplete(
        (revision, error) ->
            loop.execute(
                () -> {
                  if (error != null) {
                    failed(error);
                  } else {
                    answered(revision, seenBefore);
                  }
                }));
  }

  private void answered(long revision, long seenBefore) {
    if (revision >= seenBefore) {
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
    log.debug("Checking etcd's revision failed: {}", error.toString());
  }
}
