package dev.registryetcd.benchmarks;

import dev.registryetcd.benchmarks.churn.ChurnScenario;
import dev.registryetcd.benchmarks.failure.FailureScenario;
import dev.registryetcd.benchmarks.fleet.FleetScenario;
import dev.registryetcd.benchmarks.gray.GrayFailureScenario;
import dev.registryetcd.benchmarks.propagation.PropagationScenario;
import dev.registryetcd.benchmarks.report.DocsUpdater;
import dev.registryetcd.benchmarks.report.MachineInfo;
import dev.registryetcd.benchmarks.report.ResultsWriter;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Table;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.benchmarks.resolve.ResolveScenario;
import dev.registryetcd.benchmarks.scale.ScaleScenario;
import dev.registryetcd.testkit.EtcdCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the benchmarks: starts one etcd (the test kit's), runs every scenario on it in turn, prints
 * the table and writes the results.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar quick|all [--only resolve,propagation,...]
 *     [--results DIR] [--docs docs/benchmarks.md]
 * </pre>
 *
 * <p>Writes into the results directory (default {@code benchmarks/target/results}): one {@code
 * <scenario>.json} per scenario, {@code summary.json}, {@code summary.csv}, {@code table.md} and
 * {@code propagation-latency.png}; with {@code --docs}, also the generated section of that document
 * and the chart beside it. Exits with 1 when a scenario failed to run (a missed target is not a
 * failure), 2 for bad arguments.
 */
public final class BenchMain {
  private BenchMain() {}

  /** Every scenario, in the order they run. */
  public static List<Scenario> scenarios() {
    return List.of(
        new ResolveScenario(),
        new PropagationScenario(),
        new FailureScenario(),
        new ChurnScenario(),
        new ScaleScenario(),
        new GrayFailureScenario(),
        new FleetScenario());
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    Profile profile;
    List<String> only = List.of();
    Path results = Path.of("benchmarks", "target", "results");
    Path docs = null;
    try {
      if (args.length == 0) {
        throw new IllegalArgumentException("name a profile: quick or all");
      }
      profile = Profile.named(args[0]);
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--only" -> only = Arrays.asList(value(args, ++i).split(","));
          case "--results" -> results = Path.of(value(args, ++i));
          case "--docs" -> docs = Path.of(value(args, ++i));
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(
          "usage: java -jar benchmarks.jar quick|all [--only resolve,propagation,failure,churn,scale,gray-failure,fleet]"
              + " [--results DIR] [--docs docs/benchmarks.md]");
      System.exit(2);
      return;
    }
    List<String> chosen = only;
    List<Scenario> scenarios =
        scenarios().stream().filter(s -> chosen.isEmpty() || chosen.contains(s.name())).toList();
    System.exit(run(profile, scenarios, results, docs) ? 0 : 1);
  }

  /** Runs {@code scenarios} on a fresh etcd; returns whether every one ran to the end. */
  static boolean run(Profile profile, List<Scenario> scenarios, Path resultsDir, Path docs) {
    MachineInfo machine = MachineInfo.collect();
    long start = System.nanoTime();
    List<ScenarioResult> results = new ArrayList<>();
    System.err.println(
        "bench: profile "
            + profile.name()
            + ", load average "
            + machine.loadAverage()
            + (machine.otherBuilds().isEmpty()
                ? ""
                : ", other builds running: " + machine.otherBuilds().size()));
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      RunContext context = new RunContext(etcd.clientEndpoints(), resultsDir, profile);
      for (Scenario scenario : scenarios) {
        results.add(runOne(scenario, context));
      }
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    List<Row> rows = results.stream().flatMap(r -> r.rows().stream()).toList();
    List<String> notes = results.stream().flatMap(r -> r.notes().stream()).toList();

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("profile", profile.name());
    summary.put("machine", machine.asMap());
    summary.put("seconds", seconds);
    summary.put("loadAverageAtEnd", MachineInfo.currentLoadAverage());
    summary.put("rows", rows);
    summary.put("notes", notes);
    ResultsWriter.json(resultsDir.resolve("summary.json"), summary);
    ResultsWriter.csv(resultsDir.resolve("summary.csv"), rows);
    String table =
        Table.markdown(rows)
            + "\n"
            + String.join("\n", notes.stream().map(n -> "- " + n).toList())
            + "\n";
    ResultsWriter.text(resultsDir.resolve("table.md"), table);

    System.out.println();
    System.out.println(
        "registry-etcd benchmarks, profile "
            + profile.name()
            + ", "
            + machine.date()
            + ", "
            + seconds
            + " s; every baseline measured in this run on the same etcd");
    System.out.println();
    System.out.print(Table.text(rows));
    System.out.println();
    notes.forEach(note -> System.out.println("- " + note));
    System.out.println();
    System.out.println("Results: " + resultsDir.toAbsolutePath());
    if (docs != null) {
      Path chart = resultsDir.resolve("propagation-latency.png");
      Path chartTarget =
          docs.toAbsolutePath()
              .getParent()
              .resolve("benchmarks")
              .resolve("propagation-latency.png");
      DocsUpdater.update(docs, docsSection(profile, machine, seconds, table), chart, chartTarget);
      System.out.println("Updated " + docs + " and " + chartTarget);
    }
    return rows.stream().noneMatch(r -> r.verdict() == Verdict.ERROR);
  }

  /** Runs one scenario and writes its JSON file; a scenario that throws becomes an error row. */
  static ScenarioResult runOne(Scenario scenario, RunContext context) {
    long start = System.nanoTime();
    System.err.println("bench: " + scenario.name() + "...");
    ScenarioResult result;
    try {
      result = scenario.run(context);
    } catch (Exception | Error e) {
      e.printStackTrace();
      result =
          new ScenarioResult(
              scenario.name(),
              List.of(Row.error(scenario.name(), e)),
              List.of(),
              Map.of("error", String.valueOf(e)));
    }
    Map<String, Object> file = new LinkedHashMap<>();
    file.put("scenario", result.scenario());
    file.put("profile", context.profile().name());
    file.put("rows", result.rows());
    file.put("notes", result.notes());
    file.put("details", result.details());
    ResultsWriter.json(context.resultsDir().resolve(result.scenario() + ".json"), file);
    System.err.println(
        "bench: "
            + scenario.name()
            + " done in "
            + (System.nanoTime() - start) / 1_000_000_000L
            + " s");
    return result;
  }

  private static String docsSection(
      Profile profile, MachineInfo machine, long seconds, String table) {
    return "_Generated by `scripts/bench.sh "
        + profile.name()
        + " --update-docs` on "
        + machine.date()
        + " (profile `"
        + profile.name()
        + "`, "
        + seconds / 60
        + " min "
        + seconds % 60
        + " s)._\n\n"
        + "### Machine\n\n"
        + machine.markdown()
        + "\n"
        + "### Results\n\n"
        + table
        + "\n"
        + "![Propagation latency, ours vs etcd-floor](benchmarks/propagation-latency.png)\n";
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }
}
