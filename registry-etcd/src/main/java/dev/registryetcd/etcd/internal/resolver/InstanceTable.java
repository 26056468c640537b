package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Diff;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One service's decoded keys in key order, and the {@link Change} each batch of watch events makes,
 * built from the keys the events touched rather than by comparing the whole list before and after.
 *
 * <p>A change compares instances by address, as {@link Diff#defaultDiff} does. While every key is
 * named after its instance's address ({@code {prefix}/{service}/{address}}, as both registries
 * write them), no two keys hold the same address and the touched keys alone decide it; in the rare
 * other case (a key named otherwise, which may share an address with another) the whole lists are
 * compared, so the change is always the one {@link Diff#defaultDiff} would give.
 *
 * <p>Memory: this table is most of what a resolver holds per instance, so it keeps one map entry
 * per key and the decoded {@link Instance}, nothing else: the key is held without the service's
 * prefix, and when named after the address it is the instance's own address string.
 *
 * <p>Threads: owned by its {@link ServiceCache}, on the resolver's loop; not thread-safe.
 */
final class InstanceTable {
  /** Hears about a value that does not decode, once per key and revision. */
  interface SkipListener {
    void skipped(String key, String why);
  }

  private final String service;
  private final String keyPrefix;
  private final int defaultWeight;
  private final SkipListener skips;

  /** Each key's instance, by the key without {@link #keyPrefix}: in key order. */
  private final TreeMap<String, Instance> entries = new TreeMap<>();

  /** The keys and revisions already warned about; made at the first value that does not decode. */
  private Set<String> warned;

  /** How many keys are not named after their instance's address. */
  private int keysNamedOtherwise;

  /**
   * @param keyPrefix {@code {prefix}/{service}/}, which every key of the service starts with
   */
  InstanceTable(String service, String keyPrefix, int defaultWeight, SkipListener skips) {
    this.service = service;
    this.keyPrefix = keyPrefix;
    this.defaultWeight = defaultWeight;
    this.skips = skips;
  }

  /** Replaces every key with those of a read and returns the instances. */
  Result replaceAll(List<Kv> kvs) {
    entries.clear();
    keysNamedOtherwise = 0;
    for (Kv kv : kvs) {
      put(kv);
    }
    return result();
  }

  /**
   * Applies {@code events} in order and returns how they changed {@code previous}, the result
   * before them: a put of a new address is an addition, a put of a known address with another
   * weight, tags or network an update, a deletion (or a value that no longer decodes) a removal.
   */
  Change apply(List<KvEvent> events, Result previous) {
    boolean namedOtherwiseBefore = keysNamedOtherwise > 0;
    // Each touched key's instance before the batch (null: it had none), in key order.
    TreeMap<String, Instance> before = new TreeMap<>();
    for (KvEvent event : events) {
      Kv kv = event.kv();
      String name = nameOf(kv.key());
      if (!before.containsKey(name)) {
        before.put(name, entries.get(name));
      }
      if (event.type() == KvEvent.Type.PUT) {
        put(kv);
      } else {
        remove(name);
      }
    }
    Result next = result();
    if (namedOtherwiseBefore || keysNamedOtherwise > 0) {
      return Diff.defaultDiff(service, previous, next);
    }
    // Addresses are unique on both sides, so an address only untouched keys hold is unchanged.
    Map<String, Instance> was = new HashMap<>();
    Map<String, Instance> now = new HashMap<>();
    for (Map.Entry<String, Instance> touched : before.entrySet()) {
      Instance old = touched.getValue();
      if (old != null) {
        was.put(old.address(), old);
      }
      Instance current = entries.get(touched.getKey());
      if (current != null) {
        now.put(current.address(), current);
      }
    }
    List<Instance> added = new ArrayList<>();
    List<Instance> updated = new ArrayList<>();
    List<Instance> removed = new ArrayList<>();
    for (String touched : before.keySet()) {
      Instance current = entries.get(touched);
      if (current != null) {
        Instance old = was.get(current.address());
        if (old == null) {
          added.add(current);
        } else if (!old.equals(current)) {
          updated.add(current);
        }
      }
    }
    for (Instance old : before.values()) {
      if (old != null && !now.containsKey(old.address())) {
        removed.add(old);
      }
    }
    return new Change(next, added, updated, removed);
  }

  int size() {
    return entries.size();
  }

  private Result result() {
    return new Result(true, service, List.copyOf(entries.values()));
  }

  /**
   * The key without the service's prefix, which every key of the service's range has; only the
   * table's order needs the rest, and it is the same for every key.
   */
  private String nameOf(String key) {
    return key.startsWith(keyPrefix) ? key.substring(keyPrefix.length()) : key;
  }

  /** Decodes one key's value into the entries, or skips it, telling once per key and revision. */
  private void put(Kv kv) {
    String name = nameOf(kv.key());
    try {
      Instance instance = InstanceCodec.decodeInstance(kv.value()).withDefaultWeight(defaultWeight);
      // Removed first: a put to a present key would keep the old key string beside the new
      // instance's address.
      remove(name);
      if (name.equals(instance.address())) {
        entries.put(instance.address(), instance);
      } else {
        entries.put(name, instance);
        keysNamedOtherwise++;
      }
    } catch (MalformedInstanceException e) {
      remove(name);
      if (warned == null) {
        warned = new HashSet<>();
      }
      if (warned.add(kv.key() + "@" + kv.modRevision())) {
        skips.skipped(kv.key(), e.getMessage());
      }
    }
  }

  private void remove(String name) {
    Instance gone = entries.remove(name);
    if (gone != null && !name.equals(gone.address())) {
      keysNamedOtherwise--;
    }
  }
}
