package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.benchmarks.report.Latencies;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry churning: it registers an instance in one of the services, then deregisters it, and
 * so on through the services; each change is timed from just before the call until the last client
 * of each side has seen it, and the next starts after a pause. Meanwhile our resolvers' health is
 * sampled every 100 ms.
 */
final class Churn {
  /**
   * @param ours for each change seen by every one of our clients within the bound: its time
   * @param plain the same for the baseline's clients (empty when there was none)
   * @param oursMissed changes some of our clients did not see within the bound
   * @param samples health samples taken
   * @param allHealthySamples samples in which every one of our resolvers reported healthy
   * @param fewestHealthy the fewest of our resolvers healthy in one sample
   * @param watchRestarts our resolvers' watch restarts during the churn
   */
  record Outcome(
      int changes,
      Latencies ours,
      Latencies plain,
      int oursMissed,
      int plainMissed,
      int samples,
      int allHealthySamples,
      int fewestHealthy,
      long watchRestarts,
      long nanos) {}

  private Churn() {}

  /** The instance changed by change {@code index}, in one of {@code services}. */
  static Info instance(List<String> services, int index) {
    int pair = index / 2;
    return Info.builder()
        .serviceName(services.get(pair % services.size()))
        .address(new InetSocketAddress("10.77." + ((pair >> 8) & 255) + "." + (pair & 255), 9000))
        .build();
  }

  static Outcome run(
      EtcdRegistry registry,
      List<String> services,
      int changes,
      Duration pause,
      Duration bound,
      OurFleet fleet,
      Arrivals ours,
      Arrivals plain)
      throws InterruptedException {
    AtomicInteger samples = new AtomicInteger();
    AtomicInteger allHealthy = new AtomicInteger();
    AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    int clients = fleet.resolvers().size();
    ScheduledExecutorService sampler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "fleet-health-sampler");
              thread.setDaemon(true);
              return thread;
            });
    sampler.scheduleAtFixedRate(
        () -> {
          int healthy = fleet.healthy();
          samples.incrementAndGet();
          if (healthy == clients) {
            allHealthy.incrementAndGet();
          }
          fewest.accumulateAndGet(healthy, Math::min);
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    long restartsBefore = fleet.watchRestarts();
    List<Long> oursNanos = new ArrayList<>();
    List<Long> plainNanos = new ArrayList<>();
    int oursMissed = 0;
    int plainMissed = 0;
    long begin = System.nanoTime();
    try {
      for (int c = 0; c < changes; c++) {
        Info info = instance(services, c);
        boolean register = c % 2 == 0;
        String address = registry.instanceOf(info).address();
        long start = System.nanoTime();
        ours.expect(info.serviceName(), address, register, start);
        if (plain != null) {
          plain.expect(info.serviceName(), address, register, start);
        }
        if (register) {
          registry.register(info);
        } else {
          registry.deregister(info);
        }
        long oursTime = ours.awaitAll(bound);
        if (oursTime < 0) {
          oursMissed++;
        } else {
          oursNanos.add(oursTime);
        }
        if (plain != null) {
          long plainTime = plain.awaitAll(bound);
          if (plainTime < 0) {
            plainMissed++;
          } else {
            plainNanos.add(plainTime);
          }
        }
        TimeUnit.NANOSECONDS.sleep(pause.toNanos());
      }
    } finally {
      sampler.shutdownNow();
    }
    return new Outcome(
        changes,
        Latencies.of(oursNanos.stream().mapToLong(Long::longValue).toArray()),
        Latencies.of(plainNanos.stream().mapToLong(Long::longValue).toArray()),
        oursMissed,
        plainMissed,
        samples.get(),
        allHealthy.get(),
        fewest.get() == Integer.MAX_VALUE ? clients : fewest.get(),
        fleet.watchRestarts() - restartsBefore,
        System.nanoTime() - begin);
  }
}
