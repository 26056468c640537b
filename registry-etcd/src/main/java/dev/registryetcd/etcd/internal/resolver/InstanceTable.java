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
 * <p>A change compares instances by address, as {@link Diff#defaultDiff} does. While no two keys
 * hold the same address, before or after the batch, the touched keys alone decide it; in the rare
 * other case (two keys, one address) the whole lists are compared, so the change is always the one
 * {@link Diff#defaultDiff} would give.
 *
 * <p>Threads: owned by its {@link ServiceCache}, on the resolver's loop; not thread-safe.
 */
final class InstanceTable {
  /** Hears about a value that does not decode, once per key and revision. */
  interface SkipListener {
    void skipped(String key, String why);
  }

  /** One decoded key. */
  private record Entry(Instance instance, long modRevision) {}

  private final String service;
  private final int defaultWeight;
  private final SkipListener skips;
  private final TreeMap<String, Entry> entries = new TreeMap<>();
  private final Set<String> warned = new HashSet<>();
  private final Map<String, Integer> keysPerAddress = new HashMap<>();

  /** How many addresses more than one key holds. */
  private int sharedAddresses;

  InstanceTable(String service, int defaultWeight, SkipListener skips) {
    this.service = service;
    this.defaultWeight = defaultWeight;
    this.skips = skips;
  }

  /** Replaces every key with those of a read and returns the instances. */
  Result replaceAll(List<Kv> kvs) {
    entries.clear();
    keysPerAddress.clear();
    sharedAddresses = 0;
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
    boolean sharedBefore = sharedAddresses > 0;
    // Each touched key's entry before the batch (null: it had none), in key order.
    TreeMap<String, Entry> before = new TreeMap<>();
    for (KvEvent event : events) {
      Kv kv = event.kv();
      if (!before.containsKey(kv.key())) {
        before.put(kv.key(), entries.get(kv.key()));
      }
      if (event.type() == KvEvent.Type.PUT) {
        put(kv);
      } else {
        remove(kv.key());
      }
    }
    Result next = result();
    if (sharedBefore || sharedAddresses > 0) {
      return Diff.defaultDiff(service, previous, next);
    }
    // Addresses are unique on both sides, so an address only untouched keys hold is unchanged.
    Map<String, Instance> was = new HashMap<>();
    Map<String, Instance> now = new HashMap<>();
    for (Map.Entry<String, Entry> touched : before.entrySet()) {
      if (touched.getValue() != null) {
        Instance old = touched.getValue().instance;
        was.put(old.address(), old);
      }
      Entry current = entries.get(touched.getKey());
      if (current != null) {
        now.put(current.instance.address(), current.instance);
      }
    }
    List<Instance> added = new ArrayList<>();
    List<Instance> updated = new ArrayList<>();
    List<Instance> removed = new ArrayList<>();
    for (Map.Entry<String, Entry> touched : before.entrySet()) {
      Entry current = entries.get(touched.getKey());
      if (current != null) {
        Instance old = was.get(current.instance.address());
        if (old == null) {
          added.add(current.instance);
        } else if (!old.equals(current.instance)) {
          updated.add(current.instance);
        }
      }
    }
    for (Entry old : before.values()) {
      if (old != null && !now.containsKey(old.instance.address())) {
        removed.add(old.instance);
      }
    }
    return new Change(next, added, updated, removed);
  }

  int size() {
    return entries.size();
  }

  private Result result() {
    List<Instance> instances = new ArrayList<>(entries.size());
    for (Entry entry : entries.values()) {
      instances.add(entry.instance);
    }
    return new Result(true, service, instances);
  }

  /** Decodes one key's value into the entries, or skips it, telling once per key and revision. */
  private void put(Kv kv) {
    try {
      Instance instance = InstanceCodec.decodeInstance(kv.value()).withDefaultWeight(defaultWeight);
      forget(entries.put(kv.key(), new Entry(instance, kv.modRevision())));
      count(instance.address());
    } catch (MalformedInstanceException e) {
      remove(kv.key());
      if (warned.add(kv.key() + "@" + kv.modRevision())) {
        skips.skipped(kv.key(), e.getMessage());
      }
    }
  }

  private void remove(String key) {
    forget(entries.remove(key));
  }

  private void count(String address) {
    if (keysPerAddress.merge(address, 1, Integer::sum) == 2) {
      sharedAddresses++;
    }
  }

  private void forget(Entry gone) {
    if (gone == null) {
      return;
    }
    Integer left =
        keysPerAddress.merge(gone.instance.address(), -1, (a, b) -> a + b == 0 ? null : a + b);
    if (left != null && left == 1) {
      sharedAddresses--;
    }
  }
}
