package dev.registryetcd.etcd.internal.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link Scheduler} whose clock moves only when a test says so: {@link #advance} runs, on the
 * test's thread, every task that falls due, in time order.
 */
public final class ManualScheduler implements Scheduler {
  private final List<Task> tasks = new ArrayList<>();
  private long now;
  private long sequence;

  private final class Task implements Cancellable {
    final long due;
    final long order = sequence++;
    final Runnable work;
    boolean cancelled;

    Task(long due, Runnable work) {
      this.due = due;
      this.work = work;
    }

    @Override
    public void cancel() {
      cancelled = true;
      tasks.remove(this);
    }
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    Task scheduled = new Task(now + delay.toNanos(), task);
    tasks.add(scheduled);
    return scheduled;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** Moves the clock by {@code by}, running every task due on the way. */
  public void advance(Duration by) {
    long until = now + by.toNanos();
    while (true) {
      Task next =
          tasks.stream()
              .filter(t -> t.due <= until)
              .min(Comparator.<Task>comparingLong(t -> t.due).thenComparingLong(t -> t.order))
              .orElse(null);
      if (next == null) {
        break;
      }
      tasks.remove(next);
      now = Math.max(now, next.due);
      next.work.run();
    }
    now = until;
  }

  /** How long until the next task is due, or null when none is scheduled. */
  public Duration nextDue() {
    return tasks.stream().mapToLong(t -> t.due - now).min().stream()
        .mapToObj(Duration::ofNanos)
        .findFirst()
        .orElse(null);
  }

  /** How many tasks are scheduled. */
  public int pending() {
    return tasks.size();
  }
}
