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
 * <p>A registration taken out of service is still held, but apart: {@link #all()}, {@link #of},
 * {@link #get} and {@link #size()} (what recovery and the checks put back) do not see it, so
 * nothing puts its key back until {@link #resume} returns it.
 *
 * <p>Confined to the registry's loop thread.
 */
public final class RegistrationTable {
  private final Map<String, Registration> byKey = new LinkedHashMap<>();
  private final Map<String, Long> putRevisions = new HashMap<>();
  private final Set<String> unsettled = new HashSet<>();
  private final Map<String, Registration> outOfService = new LinkedHashMap<>();

  /**
   * Holds {@code registration} (out of service still, when its key is); returns the one it replaces
   * under the same key, or null.
   */
  public Registration hold(Registration registration) {
    if (outOfService.containsKey(registration.key())) {
      return outOfService.put(registration.key(), registration);
    }
    return byKey.put(registration.key(), registration);
  }

  /**
   * Takes {@code key} out of service: still held, but no longer put back. Returns it, or null when
   * it is not held in service.
   */
  public Registration suspend(String key) {
    Registration registration = byKey.remove(key);
    if (registration != null) {
      putRevisions.remove(key);
      outOfService.put(key, registration);
    }
    return registration;
  }

  /** Puts {@code key} back in service; returns it, or null when it is not held out of service. */
  public Registration resume(String key) {
    Registration registration = outOfService.remove(key);
    if (registration != null) {
      byKey.put(key, registration);
    }
    return registration;
  }

  /** Whether {@code key} is held out of service. */
  public boolean isOutOfService(String key) {
    return outOfService.containsKey(key);
  }

  /** How many registrations are held out of service. */
  public int outOfServiceCount() {
    return outOfService.size();
  }

  /** Holds {@code previous} again under {@code key}, or nothing when it is null (undo of hold). */
  public void restore(String key, Registration previous) {
    if (previous == null) {
      byKey.remove(key);
    } else {
      byKey.put(key, previous);
    }
  }

  /** Stops holding {@code key}, in service or not; returns what was held, or null. */
  public Registration release(String key) {
    putRevisions.remove(key);
    Registration suspended = outOfService.remove(key);
    Registration held = byKey.remove(key);
    return held != null ? held : suspended;
  }

  /** The registration last held from {@code origin}, in service or not, or null. */
  public Registration heldFrom(String origin) {
    Registration found = null;
    for (Registration registration : byKey.values()) {
      if (registration.origin().equals(origin)) {
        found = registration;
      }
    }
    if (found == null) {
      for (Registration registration : outOfService.values()) {
        if (registration.origin().equals(origin)) {
          found = registration;
        }
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
    outOfService.clear();
    putRevisions.clear();
  }
}
