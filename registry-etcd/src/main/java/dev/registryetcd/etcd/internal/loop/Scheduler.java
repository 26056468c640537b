package dev.registryetcd.etcd.internal.loop;

import java.time.Duration;

/**
 * The one thread that owns a component's mutable state, and its clock: every task runs on it, one
 * at a time, in the order given; callbacks of other threads (jetcd's) only hand work to it. {@link
 * SerialLoop} is the real one; tests drive a hand-made one so that time-based rules run in
 * milliseconds.
 */
public interface Scheduler {

  /** Runs {@code task} on the scheduler's thread soon; nothing after close. */
  void execute(Runnable task);

  /** Runs {@code task} on the scheduler's thread after {@code delay}; nothing after close. */
  Cancellable schedule(Runnable task, Duration delay);

  /** The scheduler's clock, in nanoseconds, only to measure elapsed time. */
  long nanoTime();

  /** A scheduled task that can be called off. */
  interface Cancellable {
    /** A task that was never scheduled (the scheduler was closed). */
    Cancellable NONE = () -> {};

    /** Calls the task off if it has not started; does nothing otherwise. */
    void cancel();
  }
}
