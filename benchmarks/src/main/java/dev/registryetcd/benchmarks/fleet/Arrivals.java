package dev.registryetcd.benchmarks.fleet;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each client of one side (ours or the baseline) saw the change in flight: the driver names
 * the change before making it, every client's watch callback reports what it saw, and the driver
 * waits until all have seen it. Thread-safe: callbacks come from every client's threads.
 */
final class Arrivals {
  /** One change and who has seen it. */
  private record Pending(
      String service,
      String address,
      boolean present,
      long start,
      AtomicIntegerArray seen,
      AtomicLong last,
      CountDownLatch all) {}

  private final int clients;
  private volatile Pending pending;

  Arrivals(int clients) {
    this.clients = clients;
  }

  /** The next change: {@code address} in {@code service} appears ({@code present}) or goes. */
  void expect(String service, String address, boolean present, long start) {
    pending =
        new Pending(
            service,
            address,
            present,
            start,
            new AtomicIntegerArray(clients),
            new AtomicLong(),
            new CountDownLatch(clients));
  }

  /** Client {@code client} saw {@code address} in {@code service} appear or go, just now. */
  void saw(int client, String service, String address, boolean present) {
    long now = System.nanoTime();
    Pending change = pending;
    if (change == null
        || change.present() != present
        || !change.address().equals(address)
        || !change.service().equals(service)
        || !change.seen().compareAndSet(client, 0, 1)) {
      return;
    }
    change.last().accumulateAndGet(now, Math::max);
    change.all().countDown();
  }

  /**
   * Waits until every client has seen the change named last, at most {@code bound}.
   *
   * @return nanoseconds from its start until the last client saw it, or -1 if some did not see it
   *     within the bound
   */
  long awaitAll(Duration bound) throws InterruptedException {
    Pending change = pending;
    if (!change.all().await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      return -1;
    }
    return change.last().get() - change.start();
  }

  /** How many clients have seen the change named last. */
  int seen() {
    Pending change = pending;
    return change == null ? 0 : clients - (int) change.all().getCount();
  }
}
