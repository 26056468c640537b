package dev.registryetcd.discovery;

import java.util.List;
import java.util.Objects;

/**
 * How a service's instances changed: the Java form of Kitex's {@code discovery.Change}. Immutable.
 *
 * @param result the instances after the change
 * @param added instances whose address is new
 * @param updated instances whose address was known but whose weight, tags or network changed (new
 *     values)
 * @param removed instances whose address is gone (old values)
 */
public record Change(
    Result result, List<Instance> added, List<Instance> updated, List<Instance> removed) {
  public Change {
    Objects.requireNonNull(result, "result");
    added = List.copyOf(added);
    updated = List.copyOf(updated);
    removed = List.copyOf(removed);
  }

  /** Whether nothing was added, updated or removed. */
  public boolean isEmpty() {
    return added.isEmpty() && updated.isEmpty() && removed.isEmpty();
  }
}
