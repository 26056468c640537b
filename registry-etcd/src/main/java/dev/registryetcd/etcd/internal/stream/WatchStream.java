package dev.registryetcd.etcd.internal.stream;

import com.google.protobuf.ByteString;
import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeSource;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.etcd.jetcd.support.Errors;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every watch of one jetcd client on one gRPC Watch stream, as etcd's Go client does: each watch is
 * a create request on the stream with its own watch id, ended by a cancel request with that id.
 *
 * <p>What the stream keeps for its watches:
 *
 * <ul>
 *   <li>Ids: each create asks for the id that is its number on the stream (0, 1, 2, ..., from 0
 *       again on each new stream; field 7, set as an unknown field), and its created response is
 *       matched by that id. A member of etcd 3.4 gives the id asked (0 asks for the next free one,
 *       which is 0 on a new stream); etcd's grpc-proxy ignores it but numbers a stream's creates 0,
 *       1, 2, ... in the order they came, and may answer them out of that order. A refused create
 *       (no permission, an expired token) is answered with id -1: it goes to the oldest create
 *       still waiting, which is exact on a member (it answers in order). The proxy gives a refused
 *       create no number, so when creates followed it there, the stream starts again with new
 *       numbers.
 *   <li>Resume: each watch knows the revision after the last event it was given. When the stream
 *       breaks (an error, etcd ending it, a member that lost its leader, an unconfirmed watch)
 *       every watch is created again on a new stream from its own revision, so none misses or
 *       repeats an event; jetcd's channel balances new streams across the members.
 *   <li>Require-leader: the stream carries gRPC metadata {@code hasleader=true}, as Go's {@code
 *       clientv3.WithRequireLeader}: a member cut off from its peers ends it.
 *   <li>Progress: etcd 3.4 answers a progress request for the whole stream (watch id -1), so one
 *       request serves every watch; at most one is outstanding, and its answer goes to every watch.
 *       Each new stream asks for progress before its first create: a member of etcd 3.4 answers it
 *       before any create (in order), so a create answered while it is not marks an endpoint that
 *       answers no progress request (etcd's grpc-proxy): {@link #answersProgress()} is false then,
 *       until a progress request is answered (etcd 3.5 answers none on a stream without watches,
 *       and only while every watch has caught up: so the watches' own requests are still sent
 *       there, each time one is asked for, and the first answer puts it right).
 *   <li>Fragments: the creates ask for them (field 8, which jetcd's generated API predates, set as
 *       an unknown field); a response with field 7 set is followed by the rest of its events.
 *   <li>Compaction: a watch cancelled with a compact revision ends with a {@code
 *       CompactedException}; the stream goes on.
 *   <li>Auth and TLS come with jetcd's channel and credentials ({@link
 *       dev.registryetcd.etcd.internal.ClientChannel#watchStub}). A token etcd calls invalid (it
 *       expired) is dropped, and the stream and its watches are created again with a new one.
 * </ul>
 *
 * <p>Threads: the stream owns one daemon thread ({@code registry-etcd-watch-stream-N}); all its
 * state lives there. gRPC calls the response observer on that thread (the stub's executor), and
 * every call of a watch's owner only hands a task to it. The watches' listeners are called on it,
 * one call at a time and in the stream's order: they must only hand the answer on (as {@link
 * dev.registryetcd.etcd.internal.watch.RangeWatch} does to its loop). A component whose tasks never
 * block may run on this thread too ({@link #loop()}; the resolver does), so that its events are
 * handed on without waking another thread. {@link #close()} cancels the gRPC call and ends the
 * thread; the jetcd client is not closed.
 *
 * <p>Its parts: etcd's messages are made and read by {@link WatchMessages}, each watch's state is a
 * {@link StreamWatch}; the rest (the call, the creates on their way, the ids, reopening) stays in
 * this one class because it changes together, on one thread, at every answer and break.
 */
public final class WatchStream {
  private static final Logger log = LoggerFactory.getLogger(WatchStream.class);

  private static final Metadata.Key<String> HAS_LEADER =
      Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);

  private final String name;
  private final WatchGrpc.WatchStub stub;
  private final WatchMessages messages;
  private final Runnable refreshToken;
  private final Runnable reconnectNow;
  private final SerialLoop loop;
  private final Backoff backoff = Backoff.FIRST_AT_ONCE;
  private final AtomicLong streamsOpened = new AtomicLong();

  // Owned by the stream thread.
  private ClientCallStreamObserver<WatchRequest> requests;
  private int generation;
  private boolean answered;
  private int failures;
  private boolean reopenPending;
  private boolean progressPending;

  /** The id the next create on the current stream asks for: its number on the stream. */
  private long nextWatchId;

  /** Whether the current stream's first progress request, sent before its creates, is answered. */
  private boolean firstProgressAnswered;

  private boolean closed;

  /** Creates on their way, by the id they asked for, oldest first. */
  private final Map<Long, StreamWatch> creating = new LinkedHashMap<>();

  private final Map<Long, StreamWatch> byId = new HashMap<>();
  private final Set<StreamWatch> watches = new LinkedHashSet<>();

  /** Read anywhere: how many watches are open. */
  private volatile int open;

  /**
   * Written on the stream thread, read anywhere: false when the current stream answered a create
   * before the progress request sent ahead of it, i.e. its endpoint answers no progress request.
   */
  private volatile boolean answersProgress = true;

  /**
   * @param name the thread's name
   * @param stub a Watch stub on the client's channel with its credentials
   * @param namespace the client's key namespace, put before every watched key
   * @param refreshToken drops the client's auth token, so the next stream authenticates again
   * @param reconnectNow makes the channel dial failed members again at once
   */
  WatchStream(
      String name,
      WatchGrpc.WatchStub stub,
      ByteSequence namespace,
      Runnable refreshToken,
      Runnable reconnectNow) {
    this.name = name;
    Metadata requireLeader = new Metadata();
    requireLeader.put(HAS_LEADER, "true");
    this.messages = new WatchMessages(ByteString.copyFrom(namespace.getBytes()));
    this.refreshToken = refreshToken;
    this.reconnectNow = reconnectNow;
    this.loop = new SerialLoop(name, () -> {});
    // gRPC calls the response observer on the stream thread itself, in order, so an event reaches
    // a watch's listener with no hand-off between gRPC's executor and this thread.
    this.stub =
        stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requireLeader))
            .withExecutor(this::run);
  }

  /**
   * Watches every key under {@code prefix} from {@code fromRevision} (only deletions when {@code
   * noPut}) on this stream; {@code listener} is called on the stream's thread, see {@link
   * RangeSource#watch}.
   */
  public RangeSource.Watching watch(
      String prefix, long fromRevision, boolean noPut, RangeSource.WatchListener listener) {
    ByteString key = messages.withNamespace(ByteString.copyFrom(prefix, StandardCharsets.UTF_8));
    StreamWatch watch =
        new StreamWatch(this, key, WatchMessages.prefixEnd(key), fromRevision, noPut, listener);
    run(() -> start(watch));
    return watch;
  }

  /**
   * The stream's thread. A component whose tasks never block may run them here ({@link
   * SerialLoop#share}): the events of its watches then reach it without waking another thread.
   */
  public SerialLoop loop() {
    return loop;
  }

  /** How many gRPC Watch calls this stream has opened so far (one, plus one per restart). */
  public long streamsOpened() {
    return streamsOpened.get();
  }

  /**
   * Whether the endpoint of the current stream answers progress requests: true unless it is known
   * not to (it answered a create before the progress request sent ahead of it, as etcd's grpc-proxy
   * does). A stream that did not answer yet counts as answering.
   */
  public boolean answersProgress() {
    return answersProgress;
  }

  /** How many watches are open on it. */
  public int openWatches() {
    return open;
  }

  /** Ends the gRPC call and the thread; no listener is called after this. Idempotent. */
  public void close() {
    run(
        () -> {
          closed = true;
          cancelCall("the watch stream is closed");
          watches.clear();
          open = 0;
          loop.shutdown();
        });
  }

  @Override
  public String toString() {
    return name;
  }

  // ---- a watch's requests, handed to the stream thread ----

  void cancel(StreamWatch watch) {
    run(
        () -> {
          if (!watch.open) {
            return;
          }
          watch.open = false;
          watches.remove(watch);
          open = watches.size();
          if (watch.id != -1 && byId.remove(watch.id) == watch && requests != null) {
            send(WatchMessages.cancel(watch.id));
          }
          // a create still on its way is cancelled when its answer comes
        });
  }

  void requestProgress(StreamWatch watch) {
    run(
        () -> {
          if (!watch.open || closed) {
            return;
          }
          watch.asked = generation;
          if (requests != null && (!progressPending || !answersProgress)) {
            progressPending = true;
            send(WatchMessages.PROGRESS);
          }
        });
  }

  void moveToNewStream(StreamWatch watch, Throwable why) {
    run(
        () -> {
          if (!watch.open || closed) {
            return;
          }
          if (watch.asked == generation && requests != null) {
            log.info(
                "{} did not confirm a watch ({}); moving its {} watch(es) to a new stream",
                name,
                why.getMessage(),
                watches.size());
            restart(why, watch);
          }
          // else the stream moved since this watch asked: it waits on the new one
          watch.asked = generation;
        });
  }

  // ---- on the stream thread ----

  private void start(StreamWatch watch) {
    if (closed) {
      return;
    }
    watches.add(watch);
    open = watches.size();
    if (requests == null) {
      if (reopenPending) {
        return; // created with the others when the stream opens again
      }
      openCall();
    }
    if (requests != null) {
      create(watch);
    }
    // Its creation asks its member's revision; a resumed watch keeps what it asked on (below).
    watch.asked = generation;
  }

  private void openCall() {
    int callGeneration = ++generation;
    answered = false;
    progressPending = false;
    nextWatchId = 0;
    firstProgressAnswered = false;
    answersProgress = true;
    creating.clear();
    byId.clear();
    streamsOpened.incrementAndGet();
    StreamObserver<WatchResponse> responses =
        new StreamObserver<>() {
          // called on the stream thread (the stub's executor)
          @Override
          public void onNext(WatchResponse response) {
            answer(callGeneration, response);
          }

          @Override
          public void onError(Throwable error) {
            broken(callGeneration, error);
          }

          @Override
          public void onCompleted() {
            broken(callGeneration, null);
          }
        };
    try {
      requests = (ClientCallStreamObserver<WatchRequest>) stub.watch(responses);
      // Before any create, so that a member's answer comes before every created response.
      send(WatchMessages.PROGRESS);
    } catch (RuntimeException e) {
      requests = null;
      run(() -> broken(callGeneration, e));
    }
  }

  private void create(StreamWatch watch) {
    watch.id = nextWatchId++;
    watch.fragments.clear();
    creating.put(watch.id, watch);
    send(
        WatchMessages.create(watch.id, watch.key, watch.rangeEnd, watch.nextRevision, watch.noPut));
  }

  private void send(WatchRequest request) {
    try {
      requests.onNext(request);
    } catch (RuntimeException e) {
      // the call ended meanwhile; its onError restarts the stream
      log.debug("{}: a request could not be sent: {}", name, e.toString());
    }
  }

  private void answer(int callGeneration, WatchResponse response) {
    if (closed || callGeneration != generation) {
      return; // an older stream's
    }
    answered = true;
    failures = 0;
    long revision = response.getHeader().getRevision();
    if (response.getCreated()) {
      created(response, revision);
    } else if (response.getCanceled()) {
      cancelled(response);
    } else if (response.getWatchId() == -1 && response.getEventsCount() == 0) {
      progressPending = false;
      firstProgressAnswered = true;
      answersProgress = true;
      for (StreamWatch watch : List.copyOf(byId.values())) {
        watch.hear(List.of(), revision);
      }
    } else {
      StreamWatch watch = byId.get(response.getWatchId());
      if (watch == null) {
        return; // cancelled by us: what was on its way is dropped
      }
      watch.fragments.addAll(response.getEventsList());
      if (WatchMessages.isFragment(response)) {
        return;
      }
      List<KvEvent> events = messages.events(watch.fragments);
      watch.fragments.clear();
      for (KvEvent event : events) {
        watch.nextRevision = Math.max(watch.nextRevision, event.kv().modRevision() + 1);
      }
      watch.hear(events, revision);
    }
  }

  private void created(WatchResponse response, long revision) {
    if (!firstProgressAnswered && answersProgress) {
      answersProgress = false;
      log.info(
          "{}: its endpoint answered a create before a progress request (an etcd grpc-proxy?);"
              + " its watches are not moved for want of progress until it answers one",
          name);
    }
    long id = response.getWatchId();
    if (response.getCanceled() || id == -1) {
      refusedCreate(response.getCancelReason());
      return;
    }
    StreamWatch watch = creating.remove(id);
    if (watch == null) {
      log.warn("{}: etcd created a watch nobody asked for (id {})", name, id);
      return;
    }
    if (!watch.open) {
      send(WatchMessages.cancel(id)); // closed while its create was on its way
      return;
    }
    watch.id = id;
    watch.refusedOnce = false;
    if (watch.nextRevision <= 0) {
      watch.nextRevision = revision + 1; // "from now": the creation's revision is now
    }
    byId.put(id, watch);
    watch.hear(List.of(), revision); // the creation tells the member's revision
  }

  /**
   * A create was refused (answered with id -1): it is the oldest still waiting, as a member answers
   * in order. etcd's grpc-proxy gives a refused create no number, so the creates after it there
   * have other ids than they asked: the stream starts again, with new numbers.
   */
  private void refusedCreate(String reason) {
    var oldest = creating.entrySet().iterator();
    if (!oldest.hasNext()) {
      log.warn("{}: etcd refused a watch nobody asked for ({})", name, reason);
      return;
    }
    StreamWatch watch = oldest.next().getValue();
    oldest.remove();
    boolean createsFollowed = watch.id + 1 < nextWatchId;
    if (!createsFollowed) {
      nextWatchId = watch.id; // not taken: the next create asks for it
    }
    int before = generation;
    refused(watch, reason);
    if (createsFollowed && !answersProgress && before == generation && requests != null) {
      restart(
          Status.FAILED_PRECONDITION
              .withDescription("a watch was refused (" + reason + "); numbering the stream anew")
              .asRuntimeException(),
          null);
    }
  }

  /** etcd refused to create {@code watch}: a token that expired, or no permission. */
  private void refused(StreamWatch watch, String reason) {
    if (!watch.open) {
      return;
    }
    boolean auth = reason.contains("permission denied") || reason.contains("invalid auth token");
    if (auth && !watch.refusedOnce) {
      // Most likely the stream's token expired: etcd checks it at each create. A new stream
      // authenticates again; the watch ends only if that is refused too.
      watch.refusedOnce = true;
      log.info("{}: etcd refused a watch ({}); authenticating again on a new stream", name, reason);
      refreshToken.run();
      restart(Status.UNAUTHENTICATED.withDescription(reason).asRuntimeException(), null);
      return;
    }
    end(
        watch,
        EtcdExceptionFactory.newEtcdException(
            auth ? ErrorCode.PERMISSION_DENIED : ErrorCode.FAILED_PRECONDITION,
            "etcd refused the watch of " + watch.prefix() + ": " + reason));
  }

  private void cancelled(WatchResponse response) {
    StreamWatch watch = byId.remove(response.getWatchId());
    if (watch == null) {
      return; // the answer to our own cancel
    }
    Throwable error =
        response.getCompactRevision() != 0
            ? EtcdExceptionFactory.newCompactedException(response.getCompactRevision())
            : EtcdExceptionFactory.newEtcdException(
                ErrorCode.FAILED_PRECONDITION,
                "etcd cancelled the watch of "
                    + watch.prefix()
                    + (response.getCancelReason().isEmpty()
                        ? ""
                        : ": " + response.getCancelReason()));
    end(watch, error);
  }

  private void end(StreamWatch watch, Throwable error) {
    watch.open = false;
    watches.remove(watch);
    open = watches.size();
    try {
      watch.listener.onError(error);
    } catch (RuntimeException e) {
      log.warn("{}: a watch listener threw; ignored", name, e);
    }
  }

  private void broken(int callGeneration, Throwable error) {
    if (closed || callGeneration != generation) {
      return;
    }
    requests = null;
    failures++;
    if (error != null && (Errors.isInvalidTokenError(error) || Errors.isAuthStoreExpired(error))) {
      refreshToken.run();
    }
    if (answered) {
      // Once per break, not per attempt while etcd cannot be reached.
      log.debug("{} broke ({}); resuming its {} watch(es)", name, error, watches.size());
      resumed(error, null);
    }
    answered = false;
    if (failures > 1) {
      reconnectNow.run();
    }
    if (watches.isEmpty()) {
      return; // opened again by the next watch
    }
    scheduleReopen(backoff.delay(failures));
  }

  private void scheduleReopen(Duration delay) {
    if (reopenPending) {
      return;
    }
    reopenPending = true;
    Runnable reopen =
        () -> {
          reopenPending = false;
          if (closed || requests != null || watches.isEmpty()) {
            return;
          }
          openCall();
          if (requests != null) {
            watches.forEach(this::create);
          }
        };
    if (delay.isZero()) {
      run(reopen);
    } else {
      loop.schedule(reopen, delay);
    }
  }

  /**
   * Ends the running call and creates every watch again on a new one at once, each from its own
   * revision; every watch but {@code mover} hears {@code why}.
   */
  private void restart(Throwable why, StreamWatch mover) {
    cancelCall("moving the watches to a new stream");
    resumed(why, mover);
    answered = false;
    reopenPending = false;
    openCall();
    if (requests != null) {
      watches.forEach(this::create);
    }
  }

  private void resumed(Throwable why, StreamWatch mover) {
    for (StreamWatch watch : watches) {
      if (watch != mover) {
        try {
          watch.listener.onResumed(why);
        } catch (RuntimeException e) {
          log.warn("{}: a watch listener threw; ignored", name, e);
        }
      }
    }
  }

  private void cancelCall(String why) {
    if (requests != null) {
      ClientCallStreamObserver<WatchRequest> call = requests;
      requests = null;
      ++generation; // what the old call still delivers is ignored
      try {
        call.cancel(why, null);
      } catch (RuntimeException e) {
        log.debug("{}: cancelling the call failed: {}", name, e.toString());
      }
    }
  }

  /** Hands {@code task} to the stream's thread; after close it is dropped. */
  private void run(Runnable task) {
    loop.execute(task);
  }
}
