package dev.registryetcd.cli.demo;

import dev.registryetcd.demo.echo.Echo;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The demo's client: calls Echo through one channel, one call at a time, and counts the replies per
 * server (the name before ": " in the reply) and the failures. {@link #call()} makes one call on
 * the caller's thread; {@link #start()} calls continuously on a thread of its own until {@link
 * #close()}. Counts are thread-safe; {@link #tally()} reads them at once.
 */
final class EchoCaller implements AutoCloseable {
  /**
   * At most one call per millisecond in the background: continuous, without taking over the
   * machine.
   */
  private static final long PACE_NANOS = Duration.ofMillis(1).toNanos();

  private static final Duration DEADLINE = Duration.ofSeconds(3);
  private static final String MESSAGE = "hello";

  private final Channel channel;
  private final Map<String, AtomicLong> replies = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastReplyNanos = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> failures = new ConcurrentHashMap<>();
  private final AtomicLong calls = new AtomicLong();
  private final Queue<long[]> failed =
      new ConcurrentLinkedQueue<>(); // when each failed call began and ended
  private volatile boolean stop;
  private Thread thread;

  EchoCaller(Channel channel) {
    this.channel = channel;
  }

  /** One call; returns the name of the server that answered, or {@code null} when it failed. */
  String call() {
    long began = System.nanoTime();
    String server;
    try {
      String reply = Echo.call(channel, MESSAGE, DEADLINE);
      server =
          reply.endsWith(": " + MESSAGE)
              ? reply.substring(0, reply.length() - MESSAGE.length() - 2)
              : reply;
    } catch (StatusRuntimeException e) {
      Status status = e.getStatus();
      String text =
          status.getCode()
              + (status.getDescription() == null ? "" : ": " + status.getDescription());
      failures.computeIfAbsent(text, t -> new AtomicLong()).incrementAndGet();
      if (failed.size() < 10_000) {
        failed.add(new long[] {began, System.nanoTime()});
      }
      counted();
      return null;
    }
    long now = System.nanoTime();
    replies.computeIfAbsent(server, s -> new AtomicLong()).incrementAndGet();
    lastReplyNanos.computeIfAbsent(server, s -> new AtomicLong()).set(now);
    counted();
    return server;
  }

  private void counted() {
    calls.incrementAndGet();
    synchronized (calls) {
      calls.notifyAll();
    }
  }

  /**
   * Waits until {@code atLeast} calls were made in all, at most {@code bound}.
   *
   * @throws IllegalStateException when they were not
   */
  void awaitCalls(long atLeast, Duration bound) throws InterruptedException {
    long deadline = System.nanoTime() + bound.toNanos();
    synchronized (calls) {
      for (long left = bound.toNanos();
          calls.get() < atLeast;
          left = deadline - System.nanoTime()) {
        if (left <= 0) {
          throw new IllegalStateException(
              "demo: the client made "
                  + calls.get()
                  + " calls, not "
                  + atLeast
                  + ", within "
                  + bound.toSeconds()
                  + "s");
        }
        TimeUnit.NANOSECONDS.timedWait(calls, left);
      }
    }
  }

  /** Starts calling continuously on a daemon thread. */
  void start() {
    thread =
        new Thread(
            () -> {
              long next = System.nanoTime();
              while (!stop) {
                call();
                next += PACE_NANOS;
                long ahead = next - System.nanoTime();
                if (ahead > 0) {
                  LockSupport.parkNanos(ahead);
                } else {
                  next = System.nanoTime(); // a slow call: no burst to catch up
                }
              }
            },
            "registry-etcd-demo-client");
    thread.setDaemon(true);
    thread.start();
  }

  /** Calls made so far, failed ones included. */
  long calls() {
    return calls.get();
  }

  /**
   * {@link System#nanoTime()} of {@code server}'s last reply, or {@code null} if it never replied.
   */
  Long lastReplyNanos(String server) {
    AtomicLong last = lastReplyNanos.get(server);
    return last == null ? null : last.get();
  }

  /**
   * How many failed calls were in flight at some time in [{@code from}, {@code to}] ({@link
   * System#nanoTime()}).
   */
  long failuresInFlightDuring(long from, long to) {
    return failed.stream().filter(call -> call[0] - to <= 0 && call[1] - from >= 0).count();
  }

  /** The counts so far. */
  Tally tally() {
    return new Tally(calls.get(), snapshot(replies), snapshot(failures));
  }

  /**
   * Stops the background calls and waits for the one in flight (at most its deadline). Idempotent.
   */
  @Override
  public void close() throws InterruptedException {
    stop = true;
    if (thread != null) {
      thread.join(DEADLINE.toMillis() + 1_000);
    }
  }

  private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((key, count) -> copy.put(key, count.get()));
    return copy;
  }

  /**
   * Counts at one moment.
   *
   * @param calls calls made, failed ones included
   * @param replies replies per server name
   * @param failures failed calls per status ("UNAVAILABLE: ...")
   */
  record Tally(long calls, Map<String, Long> replies, Map<String, Long> failures) {
    /** What happened between {@code earlier} and this. */
    Tally since(Tally earlier) {
      return new Tally(
          calls - earlier.calls,
          minus(replies, earlier.replies),
          minus(failures, earlier.failures));
    }

    long failed() {
      return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    long repliesOf(String server) {
      return replies.getOrDefault(server, 0L);
    }

    private static Map<String, Long> minus(Map<String, Long> later, Map<String, Long> earlier) {
      Map<String, Long> difference = new TreeMap<>();
      later.forEach(
          (key, count) -> {
            long d = count - earlier.getOrDefault(key, 0L);
            if (d != 0) {
              difference.put(key, d);
            }
          });
      return difference;
    }
  }
}
