package dev.registryetcd.etcd.internal.loop;

import dev.registryetcd.registry.RegistryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component's tasks on a {@link SerialLoop} it shares with the loop's owner: the same thread, so
 * the component hands work to the owner, and the owner to it, without waking another thread. It is
 * closed on its own: after {@link #close}, none of its tasks runs, its periodic tasks are called
 * off, and the loop goes on for its owner.
 */
public final class LoopShare implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(LoopShare.class);

  private final SerialLoop loop;
  private final String what;

  /** Written on the loop by the last task, read by every task of this share. */
  private volatile boolean closed;

  /** Guarded by itself: the periodic tasks to call off at close. */
  private final List<Cancellable> periodic = new ArrayList<>();

  LoopShare(SerialLoop loop, String what) {
    this.loop = loop;
    this.what = what;
  }

  @Override
  public void execute(Runnable task) {
    loop.execute(unlessClosed(task));
  }

  @Override
  public Cancellable schedule(Runnable task, Duration delay) {
    return loop.schedule(unlessClosed(task), delay);
  }

  /** Runs {@code task} every {@code period}, the first time after one period, until close. */
  public Cancellable every(Duration period, Runnable task) {
    Cancellable cancellable = loop.every(period, unlessClosed(task));
    synchronized (periodic) {
      periodic.add(cancellable);
    }
    return cancellable;
  }

  @Override
  public long nanoTime() {
    return loop.nanoTime();
  }

  /**
   * Runs {@code last} as this share's last task and waits at most {@code bound} for it; no task of
   * this share runs after it, even when it did not finish in time. Returns whether it finished.
   */
  public boolean close(Runnable last, Duration bound) {
    synchronized (periodic) {
      periodic.forEach(Cancellable::cancel);
      periodic.clear();
    }
    try {
      return loop.call(
          () -> {
            try {
              last.run();
            } finally {
              closed = true;
            }
            return true;
          },
          bound,
          "closing " + what);
    } catch (RegistryException | IllegalStateException e) {
      return false; // not in time, or the loop is closed: nothing of this share runs any more
    } catch (RuntimeException e) {
      log.warn("The last task of {} failed", this, e);
      return false;
    } finally {
      closed = true;
    }
  }

  private Runnable unlessClosed(Runnable task) {
    return () -> {
      if (!closed) {
        task.run();
      }
    };
  }

  @Override
  public String toString() {
    return what + " on " + loop;
  }
}
