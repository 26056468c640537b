package dev.registryetcd.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Kitex's {@code discovery.DefaultDiff}, extended to report weight, tag and network changes as
 * updates.
 */
public final class Diff {
  private Diff() {}

  /**
   * Compares two results by instance address: an address only in {@code next} is added, only in
   * {@code prev} removed, in both with a different weight, tags or network updated.
   *
   * @param prev the earlier result, or {@code null} for none
   */
  public static Change defaultDiff(String cacheKey, Result prev, Result next) {
    Map<String, Instance> before = new HashMap<>();
    if (prev != null) {
      for (Instance instance : prev.instances()) {
        before.put(instance.address(), instance);
      }
    }
    Map<String, Instance> after = new HashMap<>();
    List<Instance> added = new ArrayList<>();
    List<Instance> updated = new ArrayList<>();
    for (Instance instance : next.instances()) {
      after.put(instance.address(), instance);
      Instance old = before.get(instance.address());
      if (old == null) {
        added.add(instance);
      } else if (!old.equals(instance)) {
        updated.add(instance);
      }
    }
    List<Instance> removed = new ArrayList<>();
    if (prev != null) {
      for (Instance instance : prev.instances()) {
        if (!after.containsKey(instance.address())) {
          removed.add(instance);
        }
      }
    }
    return new Change(
        new Result(next.cacheable(), cacheKey, next.instances()), added, updated, removed);
  }
}
