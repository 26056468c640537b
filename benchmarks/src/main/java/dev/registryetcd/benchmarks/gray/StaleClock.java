package dev.registryetcd.benchmarks.gray;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples every observer against etcd every few milliseconds and keeps, for each, the longest run
 * of samples in which it served something other than etcd's state while it said it was healthy: the
 * staleness a caller could not know about.
 */
final class StaleClock implements AutoCloseable {
  private final List<View> views;
  private final View truth;
  private final long[] runStart;
  private final long[] longest;
  private final ScheduledExecutorService sampler;

  StaleClock(List<View> views, View truth, Duration every) {
    this.views = List.copyOf(views);
    this.truth = truth;
    this.runStart = new long[views.size()];
    this.longest = new long[views.size()];
    java.util.Arrays.fill(runStart, -1);
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "gray-stale-clock");
              thread.setDaemon(true);
              return thread;
            });
    sampler.scheduleAtFixedRate(this::sample, 0, every.toNanos(), TimeUnit.NANOSECONDS);
  }

  private synchronized void sample() {
    long now = System.nanoTime();
    Set<String> etcd = truth.current();
    for (int i = 0; i < views.size(); i++) {
      View view = views.get(i);
      boolean hidden;
      try {
        hidden = !view.current().equals(etcd) && view.healthy();
      } catch (RuntimeException e) {
        // a closed observer: it serves nothing more
        hidden = false;
      }
      if (hidden && runStart[i] < 0) {
        runStart[i] = now;
      } else if (!hidden) {
        end(i, now);
      }
    }
  }

  private void end(int i, long now) {
    if (runStart[i] >= 0) {
      longest[i] = Math.max(longest[i], now - runStart[i]);
      runStart[i] = -1;
    }
  }

  /** The longest time observer {@code i} served a stale state while healthy, in nanoseconds. */
  synchronized long longest(int i) {
    return longest[i];
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      long now = System.nanoTime();
      for (int i = 0; i < views.size(); i++) {
        end(i, now);
      }
    }
  }
}
