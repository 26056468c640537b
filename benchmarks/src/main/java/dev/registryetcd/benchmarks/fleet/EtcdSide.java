package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * What the etcd members of a cluster hold, from their side: watch streams and watchers from each
 * member's {@code /metrics}, resident memory from {@code /proc}. Readings are taken until they
 * settle, since creates still on their way skew the counts and Go's heap grows and is collected in
 * steps that nobody outside can force.
 */
final class EtcdSide {
  /** A reading of every member at one time. */
  record Reading(List<MemberReading> members) {
    Reading {
      members = List.copyOf(members);
    }

    long streams() {
      return members.stream().mapToLong(MemberReading::streams).sum();
    }

    long watchers() {
      return members.stream().mapToLong(MemberReading::watchers).sum();
    }

    long streamsStarted() {
      return members.stream().mapToLong(MemberReading::streamsStarted).sum();
    }

    long rssBytes() {
      return members.stream().mapToLong(MemberReading::rssBytes).sum();
    }

    long anonBytes() {
      return members.stream().mapToLong(MemberReading::anonBytes).sum();
    }

    long heapInUseBytes() {
      return members.stream().mapToLong(MemberReading::heapInUseBytes).sum();
    }

    List<Long> rssPerMember() {
      return members.stream().map(MemberReading::rssBytes).toList();
    }
  }

  /**
   * A settled reading and how it was reached.
   *
   * @param readings how many readings it took
   * @param memorySettled whether the last two resident-memory sums agreed within the tolerance
   *     (else the memory bound ran out and a later reading is reported)
   * @param live the members' live heap, stacks and connections summed, read after {@code reading}
   *     (each member collects its garbage first)
   */
  record Settled(Reading reading, int readings, boolean memorySettled, LiveMemory live) {}

  /** Two readings' resident memory (summed over the members) agree within this... */
  private static final long TOLERANCE_BYTES = 1L << 20;

  /** ... or within this fraction of it, whichever is larger. */
  private static final double TOLERANCE_FRACTION = 0.01;

  /** How long the watch counts may take to settle (creates on their way through a busy etcd). */
  private static final Duration COUNTS_BOUND = Duration.ofSeconds(60);

  private final List<EtcdMember> members;
  private final Duration step;
  private final Duration memoryBound;

  /**
   * @param step between two readings
   * @param memoryBound how long the resident memory may take to settle; after it, the first reading
   *     whose counts agree is taken, marked not settled
   */
  EtcdSide(EtcdCluster cluster, Duration step, Duration memoryBound) {
    this.members = cluster.members();
    this.step = step;
    this.memoryBound = memoryBound;
  }

  Reading read() {
    List<MemberReading> readings = new ArrayList<>();
    for (EtcdMember member : members) {
      readings.add(MemberReading.of(member.directClientEndpoint(), member.pid()));
    }
    return new Reading(readings);
  }

  /** Every member's {@link LiveMemory}, summed: makes each member collect its garbage. */
  LiveMemory live() {
    LiveMemory sum = LiveMemory.NONE;
    for (EtcdMember member : members) {
      sum = sum.plus(LiveMemory.of(member.directClientEndpoint()));
    }
    return sum;
  }

  /**
   * Reads every {@code step} until {@code ready} holds, the stream and watcher counts of two
   * readings in a row agree, and at least three readings were taken with the last two resident
   * memory sums within 1 MiB or 1% of each other (or the memory bound ran out: then the first
   * reading after it whose counts agree, marked not settled); then makes every member collect its
   * garbage and reads what is live ({@link LiveMemory}: the members need {@code --enable-pprof}).
   *
   * @throws IllegalStateException when the counts do not settle within 60 s
   */
  Settled settled(Predicate<Reading> ready) throws InterruptedException {
    long start = System.nanoTime();
    long memoryDeadline = start + memoryBound.toNanos();
    long countsDeadline = start + COUNTS_BOUND.toNanos();
    Reading last = read();
    int readings = 1;
    while (true) {
      TimeUnit.NANOSECONDS.sleep(step.toNanos());
      Reading now = read();
      readings++;
      boolean countsAgree =
          ready.test(now) && now.streams() == last.streams() && now.watchers() == last.watchers();
      long tolerance = Math.max(TOLERANCE_BYTES, (long) (now.rssBytes() * TOLERANCE_FRACTION));
      boolean memoryAgrees = Math.abs(now.rssBytes() - last.rssBytes()) <= tolerance;
      if (countsAgree && readings >= 3 && memoryAgrees) {
        return new Settled(now, readings, true, live());
      }
      long time = System.nanoTime();
      if (countsAgree && readings >= 3 && time > memoryDeadline) {
        return new Settled(now, readings, false, live());
      }
      if (time > countsDeadline) {
        throw new IllegalStateException(
            "etcd's watch figures did not settle within "
                + COUNTS_BOUND.toSeconds()
                + " s: "
                + now);
      }
      last = now;
    }
  }
}
