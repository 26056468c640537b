package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A {@link TaskLoop} driven by hand on a clock that moves only when told: tasks run in the test's
 * thread when it calls {@link #runReady()} or {@link #advance}, so restart rules are checked in
 * milliseconds without sleeping.
 */
public final class ManualLoop implements TaskLoop {
  private record Task(long dueNanos, long order, Runnable run) {}

  private final PriorityQueue<Task> tasks =
      new PriorityQueue<>(Comparator.comparingLong(Task::dueNanos).thenComparingLong(Task::order));
  private final List<Duration> delays = new ArrayList<>();
  private long nowNanos;
  private long order;

  @Override
  public void execute(Runnable task) {
    tasks.add(new Task(nowNanos, order++, task));
  }

  @Override
  public void schedule(Runnable task, Duration delay) {
    delays.add(delay);
    tasks.add(new Task(nowNanos + delay.toNanos(), order++, task));
  }

  /** Runs every task due now, including those they hand over. */
  public void runReady() {
    while (!tasks.isEmpty() && tasks.peek().dueNanos <= nowNanos) {
      tasks.poll().run.run();
    }
  }

  /** Moves the clock by {@code by}, running what falls due on the way, in order. */
  public void advance(Duration by) {
    long until = nowNanos + by.toNanos();
    while (!tasks.isEmpty() && tasks.peek().dueNanos <= until) {
      Task next = tasks.poll();
      nowNanos = Math.max(nowNanos, next.dueNanos);
      next.run.run();
    }
    nowNanos = until;
  }

  /** The delays given to {@link #schedule}, in order. */
  public List<Duration> delays() {
    return delays;
  }

  int pending() {
    return tasks.size();
  }
}
