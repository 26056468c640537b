package dev.registryetcd.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a long-running command going until Ctrl-C (SIGINT or SIGTERM), a time limit, or {@link
 * #stop()}. On Ctrl-C its shutdown hook lets the command close what it holds (deregister, stop
 * watching) before the JVM exits, waiting for that at most {@code cleanupBound}.
 *
 * <p>Thread-safe: {@link #stop()} may be called from any thread, e.g. a listener.
 */
final class StopSignal implements AutoCloseable {
  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch cleanedUp = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean interrupted;

  StopSignal(Duration cleanupBound) {
    this.hook =
        new Thread(
            () -> {
              interrupted = true;
              stop.countDown();
              try {
                cleanedUp.await(cleanupBound.toNanos(), TimeUnit.NANOSECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "registry-etcd-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Ends {@link #await}. */
  void stop() {
    stop.countDown();
  }

  /**
   * Waits for Ctrl-C or {@link #stop()}, at most {@code limit} ({@code null}: no limit); an
   * interrupt of the waiting thread also ends the wait.
   */
  void await(Duration limit) {
    try {
      if (limit == null) {
        stop.await();
      } else {
        stop.await(limit.toNanos(), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the wait ended by Ctrl-C. */
  boolean byCtrlC() {
    return interrupted;
  }

  /** Lets a pending shutdown go on; call it once the command has closed what it holds. */
  @Override
  public void close() {
    cleanedUp.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it returns now that cleanup is done
    }
  }
}
