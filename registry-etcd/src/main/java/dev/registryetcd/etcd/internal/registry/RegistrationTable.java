package dev.registryetcd.etcd.internal.registry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the registry keeps registered, and what it knows of each key in etcd: the revision of its
 * last put (to tell our own older deletions from others') and whether its last write failed
 * (unsettled: etcd may hold it anyway, or an older value).
 *
 * <p>Confined to the registry's loop thread.
 */
public final class RegistrationTable {
  private final Map<String, Registration> byKey = new LinkedHashMap<>();
  private final Map<String, Long> putRevisions = new HashMap<>();
  private final Set<String> unsettled = new HashSet<>();

  /** Holds {@code registration}; returns the one it replaces under the same key, or null. */
  public Registration hold(Registration registration) {
    return byKey.put(registration.key(), registration);
  }

  /** Holds {@code previous} again under {@code key}, or nothing when it is null (undo of hold). */
  public void restore(String key, Registration previous) {
    if (previous == null) {
      byKey.remove(key);
    } else {
      byKey.put(key, previous);
    }
  }

  /** Stops holding {@code key}; returns what was held, or null. */
  public Registration release(String key) {
    putRevisions.remove(key);
    return byKey.remove(key);
  }

  /** The registration last held from {@code origin}, or null. */
  public Registration heldFrom(String origin) {
    Registration found = null;
    for (Registration registration : byKey.values()) {
      if (registration.origin().equals(origin)) {
        found = registration;
      }
    }
    return found;
  }

  public Registration get(String key) {
    return byKey.get(key);
  }

  public int size() {
    return byKey.size();
  }

  public boolean isEmpty() {
    return byKey.isEmpty();
  }

  /** Every registration, in the order first registered; a copy. */
  public List<Registration> all() {
    return List.copyOf(byKey.values());
  }

  /** The registrations of {@code service}. */
  public List<Registration> of(String service) {
    return byKey.values().stream().filter(r -> r.service().equals(service)).toList();
  }

  /** Whether any registration belongs to {@code service}. */
  public boolean holdsService(String service) {
    return byKey.values().stream().anyMatch(r -> r.service().equals(service));
  }

  /** Every service with a registration, each once. */
  public List<String> services() {
    return byKey.values().stream().map(Registration::service).distinct().toList();
  }

  /** Records that {@code key} was put at {@code revision}. */
  public void putAt(String key, long revision) {
    putRevisions.put(key, revision);
  }

  /**
   * Whether a deletion of {@code key} at {@code revision} is older than our last put of it: our own
   * deregister before registering it again, not one behind our back.
   */
  public boolean deletedBeforeLastPut(String key, long revision) {
    Long putAt = putRevisions.get(key);
    return putAt != null && revision < putAt;
  }

  /** Whether {@code key} was last put after {@code revision}. */
  public boolean putAfter(String key, long revision) {
    Long putAt = putRevisions.get(key);
    return putAt != null && putAt > revision;
  }

  public void unsettle(String key) {
    unsettled.add(key);
  }

  public void settle(String key) {
    unsettled.remove(key);
  }

  public boolean isUnsettled(String key) {
    return unsettled.contains(key);
  }

  /** The keys whose last write failed; a copy. */
  public List<String> unsettledKeys() {
    return List.copyOf(unsettled);
  }

  /** Forgets everything (on close). */
  public void clear() {
    byKey.clear();
    putRevisions.clear();
  }
}
