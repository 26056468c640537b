package dev.registryetcd.benchmarks.failure;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * When each of several observers (resolvers, a plain watch) first saw an address appear and
 * disappear, by {@code System.nanoTime()}; lets the scenario wait until all have.
 */
final class Sightings {
  private final int observers;
  private final Map<String, long[]> added = new HashMap<>();
  private final Map<String, long[]> removed = new HashMap<>();

  Sightings(int observers) {
    this.observers = observers;
  }

  synchronized void added(int observer, String address, long nanos) {
    record(added, observer, address, nanos);
  }

  synchronized void removed(int observer, String address, long nanos) {
    record(removed, observer, address, nanos);
  }

  /** Waits until every observer saw {@code address} appear. */
  synchronized void awaitAdded(String address, Duration timeout)
      throws TimeoutException, InterruptedException {
    await(added, address, timeout, "appear");
  }

  /**
   * Waits until every observer saw {@code address} disappear; returns each one's time, by observer.
   */
  synchronized long[] awaitRemoved(String address, Duration timeout)
      throws TimeoutException, InterruptedException {
    return await(removed, address, timeout, "disappear").clone();
  }

  private void record(Map<String, long[]> times, int observer, String address, long nanos) {
    long[] byObserver =
        times.computeIfAbsent(
            address,
            a -> {
              long[] fresh = new long[observers];
              Arrays.fill(fresh, Long.MIN_VALUE);
              return fresh;
            });
    if (byObserver[observer] == Long.MIN_VALUE) {
      byObserver[observer] = nanos;
      notifyAll();
    }
  }

  private long[] await(Map<String, long[]> times, String address, Duration timeout, String what)
      throws TimeoutException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long[] byObserver = times.get(address);
      if (byObserver != null && Arrays.stream(byObserver).noneMatch(t -> t == Long.MIN_VALUE)) {
        return byObserver;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException(
            "not every observer saw "
                + address
                + " "
                + what
                + " within "
                + timeout
                + ": "
                + Arrays.toString(byObserver));
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }
}
