package dev.registryetcd.benchmarks.resolve;

import dev.registryetcd.benchmarks.RunContext;
import dev.registryetcd.benchmarks.Scenario;
import dev.registryetcd.benchmarks.ScenarioResult;
import dev.registryetcd.benchmarks.report.Format;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Benchmark 1, resolve: runs {@link ResolveBenchmark} with JMH and its GC profiler, once per thread
 * count, on services registered here beforehand. Targets: ours at least 1000× faster than
 * seed-resolve; ours allocates no more per call with many threads than with one.
 */
public final class ResolveScenario implements Scenario {
  static final String PREFIX = "bench/resolve";
  private static final double SPEED_TARGET = 1000;

  /**
   * @param forks JMH forks per benchmark (0 runs in this JVM: for the smoke test only)
   * @param instances the service sizes
   * @param threads the thread counts, the first being the one allocation is compared against
   */
  public record Sizes(
      int forks,
      int warmupIterations,
      Duration warmupTime,
      int measurementIterations,
      Duration measurementTime,
      List<Integer> instances,
      List<Integer> threads) {}

  /** One JMH figure. */
  record Score(
      String benchmark,
      int instances,
      int threads,
      double nanosPerOp,
      double error,
      double bytesPerOp) {}

  @Override
  public String name() {
    return "resolve";
  }

  @Override
  public ScenarioResult run(RunContext context) throws Exception {
    Sizes sizes = context.profile().resolve();
    String endpoints = String.join(",", context.endpoints());
    List<Score> scores = new ArrayList<>();
    try (EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(context.endpoints(), Option.withEtcdServicePrefix(PREFIX))) {
      for (int count : sizes.instances()) {
        for (int i = 0; i < count; i++) {
          registry.register(
              Info.builder()
                  .serviceName(ResolveBenchmark.serviceOf(count))
                  .address(new InetSocketAddress("10.1." + (i / 250) + "." + (i % 250 + 1), 8888))
                  .build());
        }
      }
      // forks read these from their command line; a run in this JVM (forks 0) from here
      System.setProperty(ResolveBenchmark.ENDPOINTS, endpoints);
      System.setProperty(ResolveBenchmark.PREFIX, PREFIX);
      Files.createDirectories(context.logDir());
      for (int threads : sizes.threads()) {
        Options options =
            new OptionsBuilder()
                .include("^" + Pattern.quote(ResolveBenchmark.class.getName()) + "\\.")
                .param(
                    "instances",
                    sizes.instances().stream().map(String::valueOf).toArray(String[]::new))
                .threads(threads)
                .forks(sizes.forks())
                .warmupIterations(sizes.warmupIterations())
                .warmupTime(TimeValue.milliseconds(sizes.warmupTime().toMillis()))
                .measurementIterations(sizes.measurementIterations())
                .measurementTime(TimeValue.milliseconds(sizes.measurementTime().toMillis()))
                .addProfiler(GCProfiler.class)
                .jvmArgsAppend(
                    "-D" + ResolveBenchmark.ENDPOINTS + "=" + endpoints,
                    "-D" + ResolveBenchmark.PREFIX + "=" + PREFIX)
                .shouldFailOnError(true)
                .output(
                    context.logDir().resolve("resolve-jmh-" + threads + "-threads.log").toString())
                .result(
                    context
                        .resultsDir()
                        .resolve("resolve-jmh-" + threads + "-threads.json")
                        .toString())
                .resultFormat(ResultFormatType.JSON)
                .build();
        scores.addAll(scoresOf(new Runner(options).run()));
      }
    }
    return result(sizes, scores);
  }

  @SuppressWarnings("rawtypes") // JMH's secondary results are a map of raw Result
  private static List<Score> scoresOf(Collection<RunResult> results) {
    List<Score> scores = new ArrayList<>();
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
      double bytes =
          result.getSecondaryResults().entrySet().stream()
              .filter(e -> e.getKey().endsWith("gc.alloc.rate.norm"))
              .mapToDouble(e -> e.getValue().getScore())
              .findFirst()
              .orElse(Double.NaN);
      scores.add(
          new Score(
              method,
              Integer.parseInt(params.getParam("instances")),
              params.getThreads(),
              result.getPrimaryResult().getScore(),
              result.getPrimaryResult().getScoreError(),
              bytes));
    }
    return scores;
  }

  private ScenarioResult result(Sizes sizes, List<Score> scores) {
    List<Row> rows = new ArrayList<>();
    for (int threads : sizes.threads()) {
      for (int instances : sizes.instances()) {
        Score ours = find(scores, "ours", instances, threads);
        Score seed = find(scores, "seedResolve", instances, threads);
        double ratio = seed.nanosPerOp() / ours.nanosPerOp();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("oursNsPerOp", ours.nanosPerOp());
        values.put("seedNsPerOp", seed.nanosPerOp());
        values.put("ratio", ratio);
        values.put("oursBytesPerOp", ours.bytesPerOp());
        values.put("seedBytesPerOp", seed.bytesPerOp());
        rows.add(
            new Row(
                name(),
                instances
                    + " instance"
                    + (instances == 1 ? "" : "s")
                    + ", "
                    + threads
                    + " thread"
                    + (threads == 1 ? "" : "s"),
                Format.nanos(ours.nanosPerOp()) + "/op",
                "seed-resolve " + Format.nanos(seed.nanosPerOp()) + "/op",
                Format.ratio(ratio) + " faster",
                ">= " + Format.count((long) SPEED_TARGET) + "x faster",
                Verdict.of(ratio >= SPEED_TARGET),
                values));
      }
    }
    int one = sizes.threads().get(0);
    for (int threads : sizes.threads().subList(1, sizes.threads().size())) {
      for (int instances : sizes.instances()) {
        double base = find(scores, "ours", instances, one).bytesPerOp();
        double many = find(scores, "ours", instances, threads).bytesPerOp();
        boolean noGrowth = many <= base * 1.1 + 1.0;
        rows.add(
            new Row(
                name(),
                "allocation, "
                    + instances
                    + " instance"
                    + (instances == 1 ? "" : "s")
                    + ", "
                    + threads
                    + " vs "
                    + one
                    + " thread"
                    + (one == 1 ? "" : "s"),
                Format.decimal(many, 2) + " B/op",
                "ours at "
                    + one
                    + " thread"
                    + (one == 1 ? "" : "s")
                    + ": "
                    + Format.decimal(base, 2)
                    + " B/op",
                "-",
                "no growth with threads",
                Verdict.of(noGrowth),
                Map.of("bytesPerOp", many, "baseBytesPerOp", base)));
      }
    }
    List<String> notes =
        List.of(
            "resolve: JMH average time per call and bytes allocated per call (-prof gc, gc.alloc.rate.norm); "
                + sizes.forks()
                + " fork(s), warm-up "
                + sizes.warmupIterations()
                + " x "
                + sizes.warmupTime().toMillis()
                + " ms, measurement "
                + sizes.measurementIterations()
                + " x "
                + sizes.measurementTime().toMillis()
                + " ms. With several threads the time is per call per thread, and the threads share the machine's "
                + "CPUs, for both ours and seed-resolve alike.",
            "resolve: 'no growth' means the many-thread figure is at most the one-thread figure x 1.1 + 1 B/op "
                + "(JMH's per-call allocation figure has sub-byte noise).");
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("sizes", sizes);
    details.put("scores", scores);
    return new ScenarioResult(name(), rows, notes, details);
  }

  private static Score find(List<Score> scores, String benchmark, int instances, int threads) {
    return scores.stream()
        .filter(
            s ->
                s.benchmark().equals(benchmark)
                    && s.instances() == instances
                    && s.threads() == threads)
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "JMH reported no "
                        + benchmark
                        + " with "
                        + instances
                        + " instances and "
                        + threads
                        + " threads"));
  }
}
