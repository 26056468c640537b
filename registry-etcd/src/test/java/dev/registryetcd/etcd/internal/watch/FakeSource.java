package dev.registryetcd.etcd.internal.watch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A {@link RangeSource} answered by the test: every read and watch waits until told. */
final class FakeSource implements RangeSource {
  /** One read asked for. */
  record Read(String prefix, boolean keysOnly, CompletableFuture<RangeRead> answer) {}

  /** One watch started. */
  static final class Watch implements Watching {
    final String prefix;
    final long fromRevision;
    final boolean noPut;
    final WatchListener listener;
    boolean closed;

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
  }

  final List<Read> reads = new ArrayList<>();
  final List<Watch> watches = new ArrayList<>();
  RuntimeException failNextWatchStart;

  @Override
  public CompletableFuture<RangeRead> read(String prefix, boolean keysOnly) {
    Read read = new Read(prefix, keysOnly, new CompletableFuture<>());
    reads.add(read);
    return read.answer;
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
  public CompletableFuture<Long> revision(String key) {
    return new CompletableFuture<>();
  }

  Read lastRead() {
    return reads.get(reads.size() - 1);
  }

  Watch lastWatch() {
    return watches.get(watches.size() - 1);
  }
}
