package dev.registryetcd.benchmarks.gray;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * What one observer serves right now (the addresses of the watched service) and whether it says it
 * is healthy; also when it dropped each address, to time when it delivers again.
 */
final class View {
  private final String name;
  private final boolean ours;
  private final BooleanSupplier healthy;
  private final Map<String, Long> removedAt = new ConcurrentHashMap<>();
  private Set<String> current = Set.of();

  /**
   * @param healthy what the observer says of itself; a plain watch has no such thing, so it is
   *     always healthy
   */
  View(String name, boolean ours, BooleanSupplier healthy) {
    this.name = name;
    this.ours = ours;
    this.healthy = healthy;
  }

  String name() {
    return name;
  }

  boolean ours() {
    return ours;
  }

  boolean healthy() {
    return healthy.getAsBoolean();
  }

  synchronized Set<String> current() {
    return current;
  }

  /** The observer now serves exactly {@code addresses}. */
  synchronized void replace(Set<String> addresses, long now) {
    for (String gone : current) {
      if (!addresses.contains(gone)) {
        removedAt.putIfAbsent(gone, now);
      }
    }
    current = Set.copyOf(addresses);
  }

  synchronized void put(String address) {
    Set<String> next = new HashSet<>(current);
    next.add(address);
    current = Set.copyOf(next);
  }

  synchronized void delete(String address, long now) {
    if (current.contains(address)) {
      Set<String> next = new HashSet<>(current);
      next.remove(address);
      current = Set.copyOf(next);
      removedAt.putIfAbsent(address, now);
    }
  }

  /** When it stopped serving {@code address}, or null if it still serves it (or never did). */
  Long removedAt(String address) {
    return removedAt.get(address);
  }
}
