package dev.registryetcd.benchmarks.report;

import java.util.Arrays;

/** Collects latency samples from many threads. */
public final class LatencyRecorder {
  private long[] samples = new long[1024];
  private int size;

  public synchronized void add(long nanos) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = nanos;
  }

  public synchronized int count() {
    return size;
  }

  public synchronized Latencies snapshot() {
    return Latencies.of(Arrays.copyOf(samples, size));
  }
}
