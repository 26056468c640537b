package dev.registryetcd.etcd.internal.stream;

import com.google.protobuf.ByteString;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import io.etcd.jetcd.api.Event;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch on a {@link WatchStream}: what it asked for and how far it got. Its state is owned by
 * the stream's thread; the {@link RangeSource.Watching} methods only hand their work to it.
 */
final class StreamWatch implements RangeSource.Watching {
  private static final Logger log = LoggerFactory.getLogger(StreamWatch.class);

  private final WatchStream stream;
  final ByteString key;
  final ByteString rangeEnd;
  final boolean noPut;
  final RangeSource.WatchListener listener;

  // Owned by the stream thread.

  /** Where it resumes on a new stream: the revision after the last event it was given. */
  long nextRevision;

  /** The id its create on the current stream asked for, -1 before its first create. */
  long id = -1;

  /**
   * The stream generation on which it last asked something (its first create, a progress request, a
   * move); not changed when the stream moves it, so that a move it asked for on an older stream
   * does not move the new one again.
   */
  int asked;

  boolean open = true;
  boolean refusedOnce;

  /** The events of a response that etcd sent in fragments, until the last one. */
  final List<Event> fragments = new ArrayList<>();

  StreamWatch(
      WatchStream stream,
      ByteString key,
      ByteString rangeEnd,
      long fromRevision,
      boolean noPut,
      RangeSource.WatchListener listener) {
    this.stream = stream;
    this.key = key;
    this.rangeEnd = rangeEnd;
    this.nextRevision = fromRevision;
    this.noPut = noPut;
    this.listener = listener;
  }

  String prefix() {
    return key.toStringUtf8();
  }

  /**
   * Gives the listener {@code events} (none: only a revision); a listener that throws is logged.
   */
  void hear(List<KvEvent> events, long revision) {
    try {
      listener.onEvents(events, revision);
    } catch (RuntimeException e) {
      log.warn("{}: a watch listener threw; ignored", stream, e);
    }
  }

  @Override
  public void close() {
    stream.cancel(this);
  }

  @Override
  public void requestProgress() {
    stream.requestProgress(this);
  }

  @Override
  public boolean answersProgress() {
    return stream.answersProgress();
  }

  @Override
  public void moveToNewStream(Throwable why) {
    stream.moveToNewStream(this, why);
  }
}
