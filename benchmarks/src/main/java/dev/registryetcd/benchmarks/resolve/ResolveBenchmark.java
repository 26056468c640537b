package dev.registryetcd.benchmarks.resolve;

import dev.registryetcd.benchmarks.baseline.SeedResolve;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A warm {@link EtcdResolver#resolve} against {@link SeedResolve} (one range read and decode per
 * call, as the Go extension's resolver), for a service of {@link #instances} instances that {@link
 * ResolveScenario} registered beforehand. The etcd endpoints and prefix come as the system
 * properties {@value #ENDPOINTS} and {@value #PREFIX}. Threads share one resolver and one client.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResolveBenchmark {
  /** System property: comma-separated etcd endpoints. */
  public static final String ENDPOINTS = "bench.resolve.endpoints";

  /** System property: the key prefix the services are registered under. */
  public static final String PREFIX = "bench.resolve.prefix";

  /** How many instances the resolved service has. */
  @Param({"1", "10", "100"})
  public int instances;

  private EtcdResolver resolver;
  private Client client;
  private SeedResolve seed;
  private String service;

  /** The service {@link ResolveScenario} registers with {@code instances} instances. */
  public static String serviceOf(int instances) {
    return "resolve-" + instances;
  }

  @Setup(Level.Trial)
  public void setUp() {
    List<String> endpoints = Arrays.asList(System.getProperty(ENDPOINTS, "").split(","));
    String prefix = System.getProperty(PREFIX);
    service = serviceOf(instances);
    resolver = EtcdResolver.newEtcdResolver(endpoints, Option.withEtcdServicePrefix(prefix));
    client = EtcdClients.newClient(endpoints);
    seed = new SeedResolve(client, prefix, 10, Duration.ofSeconds(5));
    requireInstances(resolver.resolve(service), "EtcdResolver");
    requireInstances(seed.resolve(service), "seed-resolve");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    resolver.close();
    client.close();
  }

  /** Ours: answered from the live cache. */
  @Benchmark
  public Result ours() {
    return resolver.resolve(service);
  }

  /** The Go extension's approach: one range read of etcd and a decode of every value, per call. */
  @Benchmark
  public Result seedResolve() {
    return seed.resolve(service);
  }

  private void requireInstances(Result result, String who) {
    if (result.instances().size() != instances) {
      throw new IllegalStateException(
          who
              + " found "
              + result.instances().size()
              + " instances of "
              + service
              + ", expected "
              + instances
              + ": was the service registered?");
    }
  }
}
