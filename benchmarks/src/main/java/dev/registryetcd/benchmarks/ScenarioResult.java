package dev.registryetcd.benchmarks;

import dev.registryetcd.benchmarks.report.Row;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scenario measured.
 *
 * @param scenario the scenario's name
 * @param rows its lines of the results table
 * @param notes what a reader needs to read the rows right (how measured, what is documented, not
 *     measured)
 * @param details every figure and setting, for the scenario's JSON file
 */
public record ScenarioResult(
    String scenario, List<Row> rows, List<String> notes, Map<String, Object> details) {
  public ScenarioResult {
    rows = List.copyOf(rows);
    notes = List.copyOf(notes);
    details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }
}
