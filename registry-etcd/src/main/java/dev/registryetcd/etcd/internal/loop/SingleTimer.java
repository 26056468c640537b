package dev.registryetcd.etcd.internal.loop;

import dev.registryetcd.etcd.internal.loop.Scheduler.Cancellable;
import java.time.Duration;

/**
 * At most one pending task on a {@link Scheduler}: scheduling another calls off the one before, so
 * a component that re-arms a timer (the next lease attempt, the next keep-alive, a watch's
 * deadline) never has a stale one fire. Confined to the scheduler's thread.
 */
public final class SingleTimer {
  private final Scheduler scheduler;
  private Cancellable next = Cancellable.NONE;
  private boolean pending;

  public SingleTimer(Scheduler scheduler) {
    this.scheduler = scheduler;
  }

  /** Runs {@code task} after {@code delay}, instead of the task pending now, if any. */
  public void schedule(Runnable task, Duration delay) {
    next.cancel();
    pending = true;
    next =
        scheduler.schedule(
            () -> {
              pending = false;
              next = Cancellable.NONE;
              task.run();
            },
            delay);
  }

  /** Calls off the pending task, if any. */
  public void cancel() {
    next.cancel();
    next = Cancellable.NONE;
    pending = false;
  }

  /** Whether a task is scheduled that has neither started nor been called off. */
  public boolean isPending() {
    return pending;
  }
}
