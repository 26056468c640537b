package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * A {@link TaskLoop} on a single-threaded {@link ScheduledExecutorService}. What a task throws is
 * logged, never lost: the executor would keep it in a future nobody reads, and a periodic task that
 * throws is never run again.
 */
public final class ExecutorLoop implements TaskLoop {
  private final ScheduledExecutorService executor;
  private final Logger log;
  private final String owner;

  /**
   * @param owner who runs the loop, for the log: {@code "The resolver"}
   */
  public ExecutorLoop(ScheduledExecutorService executor, Logger log, String owner) {
    this.executor = executor;
    this.log = log;
    this.owner = owner;
  }

  /**
   * A single daemon thread named {@code name} that forgets cancelled tasks at once (the resolver
   * cancels many).
   */
  public static ScheduledThreadPoolExecutor singleThread(String name) {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, daemons(name));
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Daemon threads named {@code name}, then {@code name-2}, {@code name-3}, ... */
  public static ThreadFactory daemons(String name) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread =
          new Thread(task, count.getAndIncrement() == 0 ? name : name + "-" + count.get());
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void execute(Runnable task) {
    try {
      executor.execute(survivingFailures(task, "a task"));
    } catch (RejectedExecutionException closedAlready) {
      // the owner is closed
    }
  }

  @Override
  public void schedule(Runnable task, Duration delay) {
    try {
      executor.schedule(survivingFailures(task, "a task"), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closedAlready) {
      // the owner is closed
    }
  }

  /** Runs {@code task} every {@code period}, the first time after one period. */
  public void every(Duration period, Runnable task, String what) {
    executor.scheduleWithFixedDelay(
        survivingFailures(task, what), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
  }

  private Runnable survivingFailures(Runnable task, String what) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("{} failed {} unexpectedly; trying again at the next turn", owner, what, e);
      }
    };
  }
}
