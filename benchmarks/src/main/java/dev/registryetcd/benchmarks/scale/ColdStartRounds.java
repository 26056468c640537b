package dev.registryetcd.benchmarks.scale;

import dev.registryetcd.benchmarks.process.ChildJvm;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.MachineInfo;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdCluster;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.PutResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The scale scenario's resolver cold start alone, repeated: starts one etcd (the test kit's), puts
 * {@code services × instances} registrations as {@link ScaleScenario} does (the same keys and
 * values, without leases: a range read does not see them), then runs {@link ColdStartJvm} with the
 * same JVM options and a number of rounds. Each round times seed-resolve's concurrent reads and a
 * fresh resolver's cold start on the same client, alternating which goes first; the ratio of a
 * round is taken within it. Prints every round, then the median and the spread.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.registryetcd.benchmarks.scale.ColdStartRounds \
 *     [services (1000)] [instances per service (10)] [rounds (11)]
 * </pre>
 */
public final class ColdStartRounds {
  private ColdStartRounds() {}

  public static void main(String[] args) throws Exception {
    int services = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int perService = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 11;
    if (services < 1 || perService < 1 || perService > 254 || rounds < 1) {
      System.err.println(
          "cold-start rounds: services >= 1, instances per service 1..254, rounds >= 1; got "
              + String.join(" ", args));
      System.exit(2);
    }
    System.out.println(
        "cold start, "
            + Format.count(services)
            + " services x "
            + perService
            + " instances, "
            + rounds
            + " rounds; "
            + Instant.now()
            + ", load average "
            + MachineInfo.currentLoadAverage());
    List<long[]> measured = new ArrayList<>();
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      String endpoint = etcd.clientEndpoints().get(0);
      fill(endpoint, services, perService);
      try (ChildJvm child =
          ChildJvm.start(
              "scale-cold-start-rounds",
              ColdStartJvm.class,
              List.of("-XX:+UseSerialGC", "-Xmx1g"),
              List.of(
                  endpoint,
                  ScaleScenario.PREFIX,
                  String.valueOf(services),
                  String.valueOf(perService),
                  String.valueOf(rounds)),
              Path.of("benchmarks", "target", "cold-start-rounds"))) {
        for (int round = 1; round <= rounds; round++) {
          String[] fields = child.await("ROUND ", Duration.ofMinutes(5)).split(" ");
          long seed = Long.parseLong(fields[2]);
          long ours = Long.parseLong(fields[3]);
          measured.add(new long[] {seed, ours});
          System.out.println(
              "round "
                  + round
                  + (round % 2 == 1 ? " (seed first)" : " (ours first)")
                  + ": seed "
                  + Format.millis(seed)
                  + " ms, ours "
                  + Format.millis(ours)
                  + " ms, "
                  + Format.decimal((double) ours / seed, 2)
                  + "x");
        }
      }
    }
    double[] seeds = measured.stream().mapToDouble(m -> m[0] / 1e6).toArray();
    double[] ours = measured.stream().mapToDouble(m -> m[1] / 1e6).toArray();
    double[] ratios = measured.stream().mapToDouble(m -> (double) m[1] / m[0]).toArray();
    System.out.println("seed ms   " + summary(seeds, 0));
    System.out.println("ours ms   " + summary(ours, 0));
    System.out.println("ours/seed " + summary(ratios, 2));
    System.out.println("load average at the end " + MachineInfo.currentLoadAverage());
    System.exit(0);
  }

  /** {@code median 0.93 (min 0.81, max 1.10)}. */
  private static String summary(double[] values, int digits) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return "median "
        + Format.decimal(median, digits)
        + " (min "
        + Format.decimal(sorted[0], digits)
        + ", max "
        + Format.decimal(sorted[n - 1], digits)
        + ")";
  }

  /** Puts every registration, at most 256 puts on their way at once. */
  private static void fill(String endpoint, int services, int perService) throws Exception {
    try (Client client = EtcdClients.newClient(List.of(endpoint))) {
      List<CompletableFuture<PutResponse>> inFlight = new ArrayList<>();
      for (int s = 0; s < services; s++) {
        for (int i = 0; i < perService; i++) {
          String address = ScaleScenario.hostOf(s, i) + ":8888";
          byte[] value =
              InstanceCodec.encode(new Instance("tcp", address, Info.DEFAULT_WEIGHT, null));
          inFlight.add(
              client
                  .getKVClient()
                  .put(
                      ByteSequence.from(
                          ScaleScenario.PREFIX + "/" + ScaleScenario.serviceOf(s) + "/" + address,
                          StandardCharsets.UTF_8),
                      ByteSequence.from(value)));
          if (inFlight.size() == 256) {
            awaitAll(inFlight);
          }
        }
      }
      awaitAll(inFlight);
    }
  }

  private static void awaitAll(List<CompletableFuture<PutResponse>> puts) throws Exception {
    for (CompletableFuture<PutResponse> put : puts) {
      put.get(30, TimeUnit.SECONDS);
    }
    puts.clear();
  }
}
