package dev.registryetcd.benchmarks.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One line of the results table: a figure of ours beside the baseline measured in the same run.
 *
 * @param scenario the scenario that measured it, e.g. {@code propagation}
 * @param benchmark what is measured, e.g. {@code register -> other JVM's resolver}
 * @param ours our figure, formatted
 * @param baseline the baseline's figure, formatted, naming the baseline
 * @param ratio how the two compare, formatted with its direction (e.g. {@code 1450x faster})
 * @param target the target, formatted
 * @param verdict whether the target was met
 * @param values the same figures as numbers, for machine-readable results (names carry their unit)
 */
public record Row(
    String scenario,
    String benchmark,
    String ours,
    String baseline,
    String ratio,
    String target,
    Verdict verdict,
    Map<String, Double> values) {

  public Row {
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(benchmark, "benchmark");
    Objects.requireNonNull(verdict, "verdict");
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** The row of a scenario that failed before it measured anything. */
  public static Row error(String scenario, Throwable error) {
    String message =
        error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return new Row(
        scenario,
        "scenario did not finish",
        message.lines().findFirst().orElse(""),
        "-",
        "-",
        "-",
        Verdict.ERROR,
        Map.of());
  }
}
