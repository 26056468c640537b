package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.ServiceKeys;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import dev.registryetcd.etcd.internal.watch.RangeRead;
import dev.registryetcd.etcd.internal.watch.RangeWatch;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names behind the resolver's {@code services()}: a keys-only read of the whole prefix, then a
 * watch of it, counting keys per service.
 *
 * <p>Threads: {@link #names()}, {@link #loaded()} and {@link #reportedOutage()} may be read
 * anywhere; everything else is owned by the resolver's loop and called only there.
 */
public final class Catalog extends FollowedRange {
  private final ResolverContext context;
  private volatile Set<String> names;

  private final Set<String> keys = new HashSet<>();
  private final Map<String, Integer> keysPerService = new HashMap<>();

  /** Makes the catalog; {@link #start()} reads it. */
  public Catalog(ResolverContext context) {
    super(context, RangeWatch.Range.keysOf(context.prefix() + "/"));
    this.context = context;
  }

  /** Every service name with a key, sorted; {@code null} before the first read answered. */
  public Set<String> names() {
    return names;
  }

  @Override
  boolean served() {
    return names != null;
  }

  @Override
  public void onRead(RangeRead read) {
    keys.clear();
    keysPerService.clear();
    for (Kv kv : read.kvs()) {
      added(kv.key());
    }
    if (reportedOutage) {
      reportedOutage = false;
      context.log().info("Resolver reads the service names under {}/ again", context.prefix());
    }
    context.revisions().seen(read.revision());
    names = Set.copyOf(new TreeSet<>(keysPerService.keySet()));
    loaded.complete(null);
  }

  @Override
  public void onReadFailed(Throwable error) {
    if (names == null) {
      loaded.completeExceptionally(error);
      return;
    }
    if (!reportedOutage) {
      reportedOutage = true;
      context
          .log()
          .warn(
              "Resolver cannot read the service names under {}/ ({}); serving the last {} and retrying",
              context.prefix(),
              EtcdCalls.describe(error),
              names.size());
    }
    watch.readAfterFailure();
  }

  @Override
  public void onEvents(List<KvEvent> events, long receivedNanos) {
    boolean changed = false;
    for (KvEvent event : events) {
      String key = event.kv().key();
      if (event.type() == KvEvent.Type.PUT) {
        changed |= added(key);
      } else {
        changed |= removed(key);
      }
    }
    if (changed) {
      names = Set.copyOf(new TreeSet<>(keysPerService.keySet()));
    }
  }

  @Override
  public void onRestart(Throwable cause) {
    context.watchRestarted("the service names under " + context.prefix() + "/", cause);
  }

  /** Counts a new key; returns whether a service appeared. */
  private boolean added(String key) {
    String service = ServiceKeys.serviceOf(context.prefix(), key);
    if (service == null || !keys.add(key)) {
      return false;
    }
    return keysPerService.merge(service, 1, Integer::sum) == 1;
  }

  /** Forgets a key; returns whether its service went away. */
  private boolean removed(String key) {
    String service = ServiceKeys.serviceOf(context.prefix(), key);
    if (service == null || !keys.remove(key)) {
      return false;
    }
    return keysPerService.merge(service, -1, (a, b) -> a + b == 0 ? null : a + b) == null;
  }
}
