package dev.registryetcd.etcd.internal.watch;

import java.time.Duration;

/**
 * The one thread that owns a component's mutable state: every task runs on it, one at a time, in
 * the order given. Callbacks of other threads (jetcd's) only hand work to it.
 */
public interface TaskLoop {
  /** Runs {@code task} on the loop soon; dropped once the loop is shut down. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop after {@code delay}; dropped once the loop is shut down. */
  void schedule(Runnable task, Duration delay);
}
