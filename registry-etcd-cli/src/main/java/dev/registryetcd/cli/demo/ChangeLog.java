package dev.registryetcd.cli.demo;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber that notes when each change arrives ({@link System#nanoTime()} on the resolver's
 * listener thread) and hands it to the demo's thread, which narrates. Thread-safe.
 */
final class ChangeLog implements ChangeListener {
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  /**
   * What the subscriber got.
   *
   * @param change the change, or {@code null} for an error
   * @param error why the resolver lost its view of etcd, or {@code null} for a change
   * @param nanos {@link System#nanoTime()} when it arrived
   */
  record Received(Change change, Throwable error, long nanos) {}

  @Override
  public void onChange(Change change) {
    received.add(new Received(change, null, System.nanoTime()));
  }

  @Override
  public void onError(Throwable error) {
    received.add(new Received(null, error, System.nanoTime()));
  }

  /** The next arrival, waiting at most {@code timeout}; {@code null} if none came. */
  Received next(Duration timeout) throws InterruptedException {
    return received.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
