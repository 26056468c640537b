package dev.registryetcd.benchmarks.gray;

import dev.registryetcd.events.EtcdEvents;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** When our registries and resolvers said they restarted a watch or lost a keep-alive. */
final class Recorder implements EtcdEvents {
  private final Queue<Long> resolverWatchRestarts = new ConcurrentLinkedQueue<>();
  private final Queue<Long> keepAliveFailures = new ConcurrentLinkedQueue<>();
  private final Queue<Long> leaseRecoveries = new ConcurrentLinkedQueue<>();
  private final Queue<Long> keyRestores = new ConcurrentLinkedQueue<>();

  @Override
  public void watchRestarted(Source source, WatchEnd cause) {
    if (source == Source.RESOLVER) {
      resolverWatchRestarts.add(System.nanoTime());
    }
  }

  @Override
  public void keepAliveFailed(KeepAliveFailure failure) {
    keepAliveFailures.add(System.nanoTime());
  }

  @Override
  public void leaseRecovered(int registrations) {
    leaseRecoveries.add(System.nanoTime());
  }

  @Override
  public void keyRestored() {
    keyRestores.add(System.nanoTime());
  }

  /** Nanoseconds from {@code start} to the first resolver watch restart after it, or -1. */
  long firstWatchRestartAfter(long start) {
    return firstAfter(resolverWatchRestarts, start);
  }

  long firstKeepAliveFailureAfter(long start) {
    return firstAfter(keepAliveFailures, start);
  }

  long countAfter(long start) {
    return resolverWatchRestarts.stream().filter(t -> t >= start).count();
  }

  long leaseRecoveries() {
    return leaseRecoveries.size();
  }

  long keyRestores() {
    return keyRestores.size();
  }

  private static long firstAfter(Queue<Long> times, long start) {
    return times.stream().filter(t -> t >= start).mapToLong(t -> t - start).min().orElse(-1);
  }
}
