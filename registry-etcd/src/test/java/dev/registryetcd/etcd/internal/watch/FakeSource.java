package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A {@link RangeSource} answered by the test: every read and watch waits until told. */
public final class FakeSource implements RangeSource {
  /** One read asked for. */
  public record Read(String prefix, boolean keysOnly, CompletableFuture<RangeRead> answer) {}

  /** One watch started. */
  public static final class Watch implements Watching {
    final String prefix;
    public final long fromRevision;
    final boolean noPut;
    public final WatchListener listener;
    public boolean closed;
    public int progressRequests;
    public boolean answersProgress = true;
    public final List<Throwable> moves = new ArrayList<>();

    Watch(String prefix, long fromRevision, boolean noPut, WatchListener listener) {
      this.prefix = prefix;
      this.fromRevision = fromRevision;
      this.noPut = noPut;
      this.listener = listener;
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void requestProgress() {
      progressRequests++;
    }

    @Override
    public void moveToNewStream(Throwable why) {
      moves.add(why);
    }

    @Override
    public boolean answersProgress() {
      return answersProgress;
    }
  }

  public final List<Read> reads = new ArrayList<>();
  public final List<Watch> watches = new ArrayList<>();
  public final List<CompletableFuture<Long>> revisions = new ArrayList<>();

  /** The prefixes of each {@link #readEach}, whose reads are also in {@link #reads}. */
  public final List<List<String>> readEachCalls = new ArrayList<>();

  RuntimeException failNextWatchStart;

  @Override
  public CompletableFuture<RangeRead> read(String prefix, boolean keysOnly) {
    Read read = new Read(prefix, keysOnly, new CompletableFuture<>());
    reads.add(read);
    return read.answer;
  }

  @Override
  public List<CompletableFuture<RangeRead>> readEach(List<String> prefixes, boolean keysOnly) {
    readEachCalls.add(List.copyOf(prefixes));
    return RangeSource.super.readEach(prefixes, keysOnly);
  }

  @Override
  public Watching watch(String prefix, long fromRevision, boolean noPut, WatchListener listener) {
    if (failNextWatchStart != null) {
      RuntimeException failure = failNextWatchStart;
      failNextWatchStart = null;
      throw failure;
    }
    Watch watch = new Watch(prefix, fromRevision, noPut, listener);
    watches.add(watch);
    return watch;
  }

  @Override
  public CompletableFuture<Long> revision(String key, Duration timeout) {
    CompletableFuture<Long> answer = new CompletableFuture<>();
    revisions.add(answer);
    return answer;
  }

  public Read lastRead() {
    return reads.get(reads.size() - 1);
  }

  public Watch lastWatch() {
    return watches.get(watches.size() - 1);
  }
}
