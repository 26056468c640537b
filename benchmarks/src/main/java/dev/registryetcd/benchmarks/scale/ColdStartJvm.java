package dev.registryetcd.benchmarks.scale;

import dev.registryetcd.benchmarks.baseline.SeedResolve;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import io.etcd.jetcd.Client;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The resolving JVM of {@link ScaleScenario}, alone so that its heap holds nothing else: times cold
 * starts of seed-resolve (one range read per service, all issued at once) and of an {@link
 * EtcdResolver} subscribed to every service, in rounds on the same client, and weighs the
 * resolver's heap. Arguments: endpoint, prefix, services, instances per service, rounds (default
 * 1).
 *
 * <p>Round 1 times seed-resolve's reads at once, then one after the other, then the resolver, whose
 * heap it weighs; every later round times both again, the resolver first in even rounds, so that
 * neither always runs on what the other left warm. A single cold start swings with what else the
 * machine does (0.57x and 1.61x of seed-resolve's time in two runs of the same code), so the
 * figures are medians. Prints {@code ROUND <i> <seedConcurrentNanos> <oursNanos>} per round, then
 * {@code RESULT <seedConcurrentNanos> <seedSequentialNanos> <oursNanos> <heapBefore> <heapAfter>
 * <instancesCached> <rounds> <ratioMin> <ratioMedian> <ratioMax>}: seed-resolve's and the
 * resolver's median times, and the spread of the rounds' ratios (ours / seed, each within its
 * round).
 *
 * <p>Run it with {@code -XX:+UseSerialGC}: a full collection then compacts, so the heap used after
 * it is the live data.
 */
public final class ColdStartJvm {
  private ColdStartJvm() {}

  public static void main(String[] args) throws InterruptedException {
    List<String> endpoints = List.of(args[0]);
    String prefix = args[1];
    int services = Integer.parseInt(args[2]);
    int perService = Integer.parseInt(args[3]);
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    Thread parentWatch = new Thread(ColdStartJvm::exitWhenParentGoes, "parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
    try (Client client = EtcdClients.newClient(endpoints)) {
      SeedResolve seed = new SeedResolve(client, prefix, 10, Duration.ofSeconds(10));
      // warm both paths (JIT, connection, etcd's caches) once, then measure each cold-for-its-data
      seedConcurrentPass(seed, services, perService);
      seedPass(seed, services, perService);
      try (EtcdResolver warm = newResolver(client, prefix)) {
        subscribeAll(warm, services, perService);
      }
      long[] seedNanos = new long[rounds];
      long[] oursNanos = new long[rounds];

      long seedStart = System.nanoTime();
      seedConcurrentPass(seed, services, perService);
      seedNanos[0] = System.nanoTime() - seedStart;
      long sequentialStart = System.nanoTime();
      seedPass(seed, services, perService);
      long sequentialNanos = System.nanoTime() - sequentialStart;
      long heapBefore = settledHeap();
      long heapAfter;
      int cached = 0;
      try (EtcdResolver resolver = newResolver(client, prefix)) {
        long oursStart = System.nanoTime();
        List<Subscription> subscriptions = subscribeAll(resolver, services, perService);
        oursNanos[0] = System.nanoTime() - oursStart;
        for (int s = 0; s < services; s++) {
          cached += resolver.resolve(ScaleScenario.serviceOf(s)).instances().size();
        }
        heapAfter = settledHeap();
        Reference.reachabilityFence(subscriptions);
      }
      printRound(1, seedNanos[0], oursNanos[0]);

      for (int round = 2; round <= rounds; round++) {
        boolean oursFirst = round % 2 == 0;
        if (oursFirst) {
          oursNanos[round - 1] = timeOurs(client, prefix, services, perService);
        }
        long start = System.nanoTime();
        seedConcurrentPass(seed, services, perService);
        seedNanos[round - 1] = System.nanoTime() - start;
        if (!oursFirst) {
          oursNanos[round - 1] = timeOurs(client, prefix, services, perService);
        }
        printRound(round, seedNanos[round - 1], oursNanos[round - 1]);
      }

      double[] ratios = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        ratios[i] = (double) oursNanos[i] / seedNanos[i];
      }
      Arrays.sort(ratios);
      System.out.println(
          "RESULT "
              + median(seedNanos)
              + " "
              + sequentialNanos
              + " "
              + median(oursNanos)
              + " "
              + heapBefore
              + " "
              + heapAfter
              + " "
              + cached
              + " "
              + rounds
              + " "
              + ratios[0]
              + " "
              + median(ratios)
              + " "
              + ratios[rounds - 1]);
      System.out.flush();
    }
    System.exit(0);
  }

  private static EtcdResolver newResolver(Client client, String prefix) {
    return EtcdResolver.builder()
        .client(client)
        .options(Option.withEtcdServicePrefix(prefix))
        .build();
  }

  /** One cold start of a fresh resolver on {@code client}, in nanoseconds. */
  private static long timeOurs(Client client, String prefix, int services, int perService)
      throws InterruptedException {
    try (EtcdResolver resolver = newResolver(client, prefix)) {
      long start = System.nanoTime();
      List<Subscription> subscriptions = subscribeAll(resolver, services, perService);
      long nanos = System.nanoTime() - start;
      Reference.reachabilityFence(subscriptions);
      return nanos;
    }
  }

  private static void printRound(int round, long seedNanos, long oursNanos) {
    System.out.println("ROUND " + round + " " + seedNanos + " " + oursNanos);
    System.out.flush();
  }

  /** The median; of an even count, the mean of the two middle values. */
  static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The median; of an even count, the mean of the two middle values. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** Reads every service, one after the other, as a Go client resolving each service in turn. */
  private static void seedPass(SeedResolve seed, int services, int perService) {
    for (int s = 0; s < services; s++) {
      check(seed.resolve(ScaleScenario.serviceOf(s)).instances().size(), s, perService);
    }
  }

  /** Reads every service with all reads issued at once, as the resolver does. */
  private static void seedConcurrentPass(SeedResolve seed, int services, int perService) {
    List<CompletableFuture<Result>> reads = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      reads.add(seed.resolveAsync(ScaleScenario.serviceOf(s)));
    }
    for (int s = 0; s < services; s++) {
      try {
        check(reads.get(s).get(1, TimeUnit.MINUTES).instances().size(), s, perService);
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException(
            "seed-resolve of " + ScaleScenario.serviceOf(s) + " failed: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private static void check(int found, int service, int perService) {
    if (found != perService) {
      throw new IllegalStateException(
          "seed-resolve found "
              + found
              + " instances of "
              + ScaleScenario.serviceOf(service)
              + ", expected "
              + perService);
    }
  }

  /**
   * Subscribes to every service (each call returns at once) and waits until each listener had its
   * first call.
   */
  private static List<Subscription> subscribeAll(
      EtcdResolver resolver, int services, int perService) throws InterruptedException {
    CountDownLatch first = new CountDownLatch(services);
    List<Subscription> subscriptions = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      boolean[] called = new boolean[1];
      subscriptions.add(
          resolver.subscribe(
              ScaleScenario.serviceOf(s),
              change -> {
                if (!called[0]) {
                  called[0] = true;
                  first.countDown();
                }
              }));
    }
    if (!first.await(5, TimeUnit.MINUTES)) {
      throw new IllegalStateException(
          first.getCount() + " of " + services + " subscriptions got no first call");
    }
    return subscriptions;
  }

  /**
   * Heap used right after full collections, once two in a row agree within 4 KB (at most 10). Each
   * reading is what the collection itself left ({@link MemoryPoolMXBean#getCollectionUsage}), so
   * what the JVM's other threads allocate between the collection and the reading does not count.
   */
  private static long settledHeap() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      memory.gc();
      long used = 0;
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        MemoryUsage afterCollection = pool.getCollectionUsage();
        if (pool.getType() == MemoryType.HEAP && afterCollection != null) {
          used += afterCollection.getUsed();
        }
      }
      if (Math.abs(used - previous) < 4 * 1024) {
        return used;
      }
      previous = used;
    }
    return previous;
  }

  private static void exitWhenParentGoes() {
    try {
      while (System.in.read() >= 0) {
        // nothing is sent; end of input means the parent is gone
      }
    } catch (java.io.IOException ignored) {
      // same as end of input
    }
    System.exit(1);
  }
}
