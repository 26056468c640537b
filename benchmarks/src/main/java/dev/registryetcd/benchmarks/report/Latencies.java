package dev.registryetcd.benchmarks.report;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A set of latency samples in nanoseconds, sorted, with the percentiles the tables show. Immutable.
 */
public final class Latencies {
  private final long[] sorted;

  private Latencies(long[] sorted) {
    this.sorted = sorted;
  }

  /** The samples {@code nanos} (copied). */
  public static Latencies of(long[] nanos) {
    long[] copy = nanos.clone();
    Arrays.sort(copy);
    return new Latencies(copy);
  }

  public int count() {
    return sorted.length;
  }

  /** The nearest-rank percentile {@code p} (0 < p <= 100); 0 when there is no sample. */
  public long percentile(double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  public long p50() {
    return percentile(50);
  }

  public long p99() {
    return percentile(99);
  }

  public long max() {
    return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
  }

  /** The samples in ascending order (a copy). */
  public long[] sortedNanos() {
    return sorted.clone();
  }

  /** {@code p99 2.10 ms (p50 0.91, max 5.30)}. */
  public String describe() {
    return "p99 "
        + Format.millis(p99())
        + " ms (p50 "
        + Format.millis(p50())
        + ", max "
        + Format.millis(max())
        + ")";
  }

  /** Count and percentiles in milliseconds, for JSON. */
  public Map<String, Object> summary() {
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("count", count());
    summary.put("p50Ms", p50() / 1e6);
    summary.put("p90Ms", percentile(90) / 1e6);
    summary.put("p99Ms", p99() / 1e6);
    summary.put("maxMs", max() / 1e6);
    return summary;
  }

  /** {@link #summary()} plus every sample in milliseconds. */
  public Map<String, Object> summaryWithSamples() {
    Map<String, Object> summary = summary();
    double[] millis = new double[sorted.length];
    for (int i = 0; i < sorted.length; i++) {
      millis[i] = sorted[i] / 1e6;
    }
    summary.put("samplesMs", millis);
    return summary;
  }
}
