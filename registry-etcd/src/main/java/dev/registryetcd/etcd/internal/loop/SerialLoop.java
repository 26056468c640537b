package dev.registryetcd.etcd.internal.loop;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.registry.RegistryException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named daemon thread that runs a component's tasks one at a time, so that the component's
 * state needs no locks of its own: whatever runs as the loop's task owns it. After every task it
 * runs {@code afterEachTask} (a component publishes its status there). What a task throws is
 * logged, never lost in a future nobody reads, and a periodic task survives it.
 *
 * <p>One exception to "on the loop's thread": a {@link #call} made while the loop has nothing to do
 * runs on the caller's thread, holding the loop for its duration exactly as a task does, so that a
 * caller who waits anyway does not also wait for the loop's thread to wake up (the tail of a
 * registration's latency). Tasks are still one at a time and in each other's sight.
 *
 * <p>Closing stops the thread; tasks submitted afterwards are dropped.
 */
public final class SerialLoop implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(SerialLoop.class);

  private final String name;
  private final Runnable afterEachTask;
  private final ScheduledThreadPoolExecutor executor;

  /** Held by whatever runs as the loop's task: its thread, or a caller of {@link #call}. */
  private final ReentrantLock running = new ReentrantLock();

  /**
   * @param name the thread's name, e.g. {@code registry-etcd-registry-1}
   * @param afterEachTask runs on the loop after each task, also after one that threw
   */
  public SerialLoop(String name, Runnable afterEachTask) {
    this.name = name;
    this.afterEachTask = afterEachTask;
    this.executor = new ScheduledThreadPoolExecutor(1, daemonThreads(name));
    // a component may cancel many timers (the resolver one per service change): forget them at once
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /** Daemon threads named {@code name}, then {@code name-2}, {@code name-3}, ... */
  public static ThreadFactory daemonThreads(String name) {
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
      executor.execute(guarded(task));
    } catch (RejectedExecutionException closed) {
      // closed: nothing left to do
    }
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    try {
      ScheduledFuture<?> future =
          executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException closed) {
      return Cancellable.NONE;
    }
  }

  /**
   * A share of this loop for a component that runs its tasks here beside the loop's owner, and
   * stops them without stopping the loop.
   */
  public LoopShare share(String what) {
    return new LoopShare(this, what);
  }

  /** Runs {@code task} every {@code period}, the first time after one period. */
  public Cancellable every(Duration period, Runnable task) {
    try {
      ScheduledFuture<?> future =
          executor.scheduleWithFixedDelay(
              guarded(task), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
      return () -> future.cancel(false);
    } catch (RejectedExecutionException closed) {
      return Cancellable.NONE;
    }
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  /**
   * Runs {@code work} as the loop's next task and waits for it: at most {@code bound} when it runs
   * on the loop's thread. When the loop has nothing to do, {@code work} runs at once on this
   * caller's thread instead, holding the loop (no task runs meanwhile), and is bounded only by its
   * own timeouts. What {@code work} throws is rethrown here, with this caller's stack added.
   *
   * @throws IllegalStateException when the loop is closed
   * @throws RegistryException UNREACHABLE when {@code work} did not finish within {@code bound},
   *     INTERRUPTED when the caller was interrupted; {@code work} is then called off if it has not
   *     started
   */
  public <T> T call(Callable<T> work, Duration bound, String what) {
    // Never nested in a task of this loop: that would cut into the task's own state changes.
    if (!running.isHeldByCurrentThread() && nothingDue() && running.tryLock()) {
      try {
        if (executor.isShutdown()) {
          throw new IllegalStateException(name + " is closed");
        }
        return work.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw EtcdCalls.failure(what, e);
      } finally {
        try {
          afterEachTask.run();
        } finally {
          running.unlock();
        }
      }
    }
    Future<T> result;
    try {
      result =
          executor.submit(
              () -> {
                running.lock();
                try {
                  return work.call();
                } finally {
                  try {
                    afterEachTask.run();
                  } finally {
                    running.unlock();
                  }
                }
              });
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException(name + " is closed", e);
    }
    try {
      return result.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      result.cancel(false);
      throw new RegistryException(
          RegistryException.Reason.UNREACHABLE,
          what
              + ": no answer from etcd within "
              + bound
              + " (is etcd running and reachable at the configured endpoints?)",
          e);
    } catch (InterruptedException e) {
      result.cancel(false);
      Thread.currentThread().interrupt();
      throw new RegistryException(RegistryException.Reason.INTERRUPTED, what + ": interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        runtime.addSuppressed(new Exception("called from here"));
        throw runtime;
      }
      throw EtcdCalls.failure(what, e.getCause());
    }
  }

  /**
   * Runs {@code last} as the loop's last task and waits for it at most {@code bound}; then stops
   * the thread, waiting at most {@code bound} again. Returns whether {@code last} finished in time.
   */
  public boolean close(Runnable last, Duration bound) {
    boolean finished = false;
    try {
      executor.submit(guarded(last)).get(bound.toNanos(), TimeUnit.NANOSECONDS);
      finished = true;
    } catch (TimeoutException e) {
      finished = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | RejectedExecutionException e) {
      log.warn("The last task of {} failed: {}", name, String.valueOf(e.getCause()));
    } finally {
      executor.shutdownNow();
    }
    try {
      executor.awaitTermination(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return finished;
  }

  /**
   * Stops the thread once the tasks already handed to it have run, without waiting; delayed and
   * periodic tasks are dropped, and tasks submitted afterwards too.
   */
  public void shutdown() {
    executor.shutdown();
  }

  /** Whether no task is waiting to run now (timers not yet due do not count). */
  private boolean nothingDue() {
    Runnable next = executor.getQueue().peek();
    return next == null
        || next instanceof Delayed delayed && delayed.getDelay(TimeUnit.NANOSECONDS) > 0;
  }

  private Runnable guarded(Runnable task) {
    return () -> {
      running.lock();
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("A task of {} failed unexpectedly", name, e);
      } finally {
        try {
          afterEachTask.run();
        } finally {
          running.unlock();
        }
      }
    };
  }

  @Override
  public String toString() {
    return name;
  }
}
