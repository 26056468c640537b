package dev.registryetcd.etcd.internal.stream;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import io.etcd.jetcd.api.Event;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.WatchCancelRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchProgressRequest;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * etcd's Watch messages (rpc.proto) made from, and read into, the watch engine's values: the
 * requests a {@link WatchStream} sends, and the events of its responses as {@link KvEvent}s with
 * the client's key namespace taken off.
 */
final class WatchMessages {
  /**
   * {@code WatchCreateRequest.watch_id} and {@code .fragment}, {@code WatchResponse.fragment} in
   * etcd's rpc.proto.
   */
  private static final int CREATE_WATCH_ID_FIELD = 7;

  private static final int CREATE_FRAGMENT_FIELD = 8;

  private static final int RESPONSE_FRAGMENT_FIELD = 7;

  /**
   * A member of etcd 3.4 answers it for the whole stream (watch id -1), in its turn among the
   * stream's other answers; etcd's grpc-proxy answers none.
   */
  static final WatchRequest PROGRESS =
      WatchRequest.newBuilder()
          .setProgressRequest(WatchProgressRequest.getDefaultInstance())
          .build();

  private final ByteString namespace;

  /**
   * @param namespace the client's key namespace, put before every watched key
   */
  WatchMessages(ByteString namespace) {
    this.namespace = namespace;
  }

  /** {@code key} as etcd stores it: the namespace before it. */
  ByteString withNamespace(ByteString key) {
    return namespace.isEmpty() ? key : namespace.concat(key);
  }

  /**
   * A create request, with watch id {@code watchId} (0: etcd picks the next free one), for every
   * key in {@code [key, rangeEnd)} from {@code startRevision}, only deletions when {@code noPut};
   * it asks for fragments. The id (field 7) and fragments (field 8) are set as unknown fields:
   * jetcd's generated API predates them.
   */
  static WatchRequest create(
      long watchId, ByteString key, ByteString rangeEnd, long startRevision, boolean noPut) {
    UnknownFieldSet.Builder newer =
        UnknownFieldSet.newBuilder()
            .addField(
                CREATE_FRAGMENT_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
    if (watchId != 0) {
      newer.addField(
          CREATE_WATCH_ID_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(watchId).build());
    }
    WatchCreateRequest.Builder create =
        WatchCreateRequest.newBuilder()
            .setKey(key)
            .setRangeEnd(rangeEnd)
            .setStartRevision(startRevision)
            .setUnknownFields(newer.build());
    if (noPut) {
      create.addFilters(WatchCreateRequest.FilterType.NOPUT);
    }
    return WatchRequest.newBuilder().setCreateRequest(create).build();
  }

  static WatchRequest cancel(long watchId) {
    return WatchRequest.newBuilder()
        .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(watchId))
        .build();
  }

  /** Whether more of this response's events follow in the next response (field 7). */
  static boolean isFragment(WatchResponse response) {
    UnknownFieldSet.Field field = response.getUnknownFields().getField(RESPONSE_FRAGMENT_FIELD);
    return !field.getVarintList().isEmpty() && field.getVarintList().get(0) != 0;
  }

  /** The end of the range of every key starting with {@code prefix}, as etcd's clientv3. */
  static ByteString prefixEnd(ByteString prefix) {
    byte[] end = prefix.toByteArray();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return ByteString.copyFrom(end, 0, i + 1);
      }
    }
    return ByteString.copyFrom(new byte[] {0}); // every key from prefix on
  }

  /** The PUT and DELETE events of {@code raw}, keys without the namespace. */
  List<KvEvent> events(List<Event> raw) {
    List<KvEvent> events = new ArrayList<>(raw.size());
    for (Event event : raw) {
      if (event.getType() == Event.EventType.PUT) {
        events.add(new KvEvent(KvEvent.Type.PUT, kv(event.getKv())));
      } else if (event.getType() == Event.EventType.DELETE) {
        events.add(new KvEvent(KvEvent.Type.DELETE, kv(event.getKv())));
      }
    }
    return events;
  }

  private Kv kv(KeyValue kv) {
    ByteString key = kv.getKey();
    if (!namespace.isEmpty() && key.startsWith(namespace)) {
      key = key.substring(namespace.size());
    }
    return new Kv(
        key.toStringUtf8(), kv.getValue().toByteArray(), kv.getModRevision(), kv.getLease());
  }
}
