package dev.registryetcd.etcd.internal.loop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A {@link Scheduler} whose clock moves only when a test says so: tasks run on the test's thread
 * when it calls {@link #runReady()} or {@link #advance}, in time order (and in the order given when
 * due together), so time-based rules are checked in milliseconds without sleeping.
 */
public final class ManualScheduler implements Scheduler {
  private final List<Task> tasks = new ArrayList<>();
  private final List<Duration> delays = new ArrayList<>();
  private long now;
  private long sequence;

  private final class Task implements Cancellable {
    final long due;
    final long order = sequence++;
    final Runnable work;

    Task(long due, Runnable work) {
      this.due = due;
      this.work = work;
    }

    @Override
    public void cancel() {
      tasks.remove(this);
    }
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(new Task(now, task));
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    delays.add(delay);
    Task scheduled = new Task(now + delay.toNanos(), task);
    tasks.add(scheduled);
    return scheduled;
  }

  @Override
  public long nanoTime() {
    return now;
  }

  /** Runs every task due now, including those they hand over. */
  public void runReady() {
    advance(Duration.ZERO);
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

  /** The delays given to {@link #schedule}, in order. */
  public List<Duration> delays() {
    return delays;
  }

  /** How many tasks are waiting. */
  public int pending() {
    return tasks.size();
  }
}
