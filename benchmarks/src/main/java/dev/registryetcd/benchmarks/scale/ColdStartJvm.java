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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The resolving JVM of {@link ScaleScenario}, alone so that its heap holds nothing else: times a
 * cold start of seed-resolve (one range read per service, all issued at once, then one after the
 * other) and of an {@link EtcdResolver} subscribed to every service (it reads them all at once),
 * and weighs the resolver's heap. Prints one line: {@code RESULT <seedConcurrentNanos>
 * <seedSequentialNanos> <oursNanos> <heapBefore> <heapAfter> <instancesCached>}.
 *
 * <p>Run it with {@code -XX:+UseSerialGC}: a full collection then compacts, so the heap used after
 * it is the live data. Arguments: endpoint, prefix, services, instances per service, and optionally
 * a number of rounds: then, after the same warm-up, it only times that many rounds of both cold
 * starts, alternating which goes first, and prints one line per round, {@code ROUND <i>
 * <seedConcurrentNanos> <oursNanos>}, then {@code ROUNDS DONE} ({@link ColdStartRounds} runs it
 * so).
 */
public final class ColdStartJvm {
  private ColdStartJvm() {}

  public static void main(String[] args) throws InterruptedException {
    List<String> endpoints = List.of(args[0]);
    String prefix = args[1];
    int services = Integer.parseInt(args[2]);
    int perService = Integer.parseInt(args[3]);
    int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    Thread parentWatch = new Thread(ColdStartJvm::exitWhenParentGoes, "parent-watch");
    parentWatch.setDaemon(true);
    parentWatch.start();
    try (Client client = EtcdClients.newClient(endpoints)) {
      SeedResolve seed = new SeedResolve(client, prefix, 10, Duration.ofSeconds(10));
      // warm both paths (JIT, connection, etcd's caches) once, then measure each cold-for-its-data
      seedConcurrentPass(seed, services, perService);
      seedPass(seed, services, perService);
      try (EtcdResolver warm =
          EtcdResolver.builder()
              .client(client)
              .options(Option.withEtcdServicePrefix(prefix))
              .build()) {
        subscribeAll(warm, services, perService);
      }
      if (rounds > 0) {
        timeRounds(client, prefix, seed, services, perService, rounds);
        System.exit(0);
      }
      long seedStart = System.nanoTime();
      seedConcurrentPass(seed, services, perService);
      long seedNanos = System.nanoTime() - seedStart;
      long sequentialStart = System.nanoTime();
      seedPass(seed, services, perService);
      long sequentialNanos = System.nanoTime() - sequentialStart;

      long heapBefore = settledHeap();
      EtcdResolver resolver =
          EtcdResolver.builder()
              .client(client)
              .options(Option.withEtcdServicePrefix(prefix))
              .build();
      long oursStart = System.nanoTime();
      List<Subscription> subscriptions = subscribeAll(resolver, services, perService);
      long oursNanos = System.nanoTime() - oursStart;
      int cached = 0;
      for (int s = 0; s < services; s++) {
        cached += resolver.resolve(ScaleScenario.serviceOf(s)).instances().size();
      }
      long heapAfter = settledHeap();
      System.out.println(
          "RESULT "
              + seedNanos
              + " "
              + sequentialNanos
              + " "
              + oursNanos
              + " "
              + heapBefore
              + " "
              + heapAfter
              + " "
              + cached);
      System.out.flush();
      Reference.reachabilityFence(subscriptions);
      resolver.close();
    }
    System.exit(0);
  }

  /**
   * Times {@code rounds} cold starts of each, on the same client: in odd rounds seed-resolve goes
   * first, in even ones the resolver, so neither always runs on what the other left warm.
   */
  private static void timeRounds(
      Client client, String prefix, SeedResolve seed, int services, int perService, int rounds)
      throws InterruptedException {
    for (int round = 1; round <= rounds; round++) {
      long seedNanos = 0;
      long oursNanos = 0;
      for (int turn = 0; turn < 2; turn++) {
        if ((turn == 0) == (round % 2 == 1)) {
          long start = System.nanoTime();
          seedConcurrentPass(seed, services, perService);
          seedNanos = System.nanoTime() - start;
        } else {
          try (EtcdResolver resolver =
              EtcdResolver.builder()
                  .client(client)
                  .options(Option.withEtcdServicePrefix(prefix))
                  .build()) {
            long start = System.nanoTime();
            List<Subscription> subscriptions = subscribeAll(resolver, services, perService);
            oursNanos = System.nanoTime() - start;
            Reference.reachabilityFence(subscriptions);
          }
        }
      }
      System.out.println("ROUND " + round + " " + seedNanos + " " + oursNanos);
      System.out.flush();
    }
    System.out.println("ROUNDS DONE");
    System.out.flush();
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
