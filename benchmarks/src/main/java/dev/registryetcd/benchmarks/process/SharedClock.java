package dev.registryetcd.benchmarks.process;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks that a child JVM's {@code System.nanoTime()} reads the same clock as ours, so a time taken
 * in one JVM can be subtracted from a time taken in the other.
 *
 * <p>On Linux {@code System.nanoTime()} is {@code clock_gettime(CLOCK_MONOTONIC)}: one clock for
 * the whole machine since boot, not a per-JVM origin (the JDK documents only "fixed but arbitrary",
 * hence the check). Each round asks the child for its time between two readings of ours; the
 * child's answer must fall between them. Wall-clock {@code Instant}s would also be shared, but can
 * step (NTP) and have coarser resolution.
 *
 * @param rounds how many times we asked
 * @param bracketed how many answers fell between our two readings
 * @param maxRoundTripNanos the longest round trip: the bound on any offset between the clocks
 * @param maxOffsetNanos the largest distance of the child's reading from the middle of the round
 *     trip
 */
public record SharedClock(int rounds, int bracketed, long maxRoundTripNanos, long maxOffsetNanos) {

  /** Asks {@code child} {@code rounds} times. */
  public static SharedClock check(ChildJvm child, int rounds) {
    int bracketed = 0;
    long maxRoundTrip = 0;
    long maxOffset = 0;
    for (int i = 0; i < rounds; i++) {
      long before = System.nanoTime();
      child.send("CLOCK");
      long theirs = child.awaitNumber("CLOCK ", Duration.ofSeconds(10));
      long after = System.nanoTime();
      if (before <= theirs && theirs <= after) {
        bracketed++;
      }
      maxRoundTrip = Math.max(maxRoundTrip, after - before);
      maxOffset = Math.max(maxOffset, Math.abs(theirs - (before + (after - before) / 2)));
    }
    return new SharedClock(rounds, bracketed, maxRoundTrip, maxOffset);
  }

  /** Whether every answer fell inside its round trip. */
  public boolean shared() {
    return bracketed == rounds;
  }

  /**
   * @throws IllegalStateException when the clocks differ: cross-JVM latencies cannot be measured
   *     then
   */
  public SharedClock requireShared() {
    if (!shared()) {
      throw new IllegalStateException(
          "the child JVM's System.nanoTime() is not ours ("
              + this
              + "): cross-process latencies cannot be measured on this platform");
    }
    return this;
  }

  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("clock", "System.nanoTime (CLOCK_MONOTONIC)");
    map.put("rounds", rounds);
    map.put("bracketed", bracketed);
    map.put("maxRoundTripMs", maxRoundTripNanos / 1e6);
    map.put("maxOffsetMs", maxOffsetNanos / 1e6);
    return map;
  }
}
