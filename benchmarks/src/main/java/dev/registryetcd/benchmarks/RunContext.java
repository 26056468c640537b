package dev.registryetcd.benchmarks;

import java.nio.file.Path;
import java.util.List;

/**
 * What every scenario of one run shares.
 *
 * @param endpoints the run's etcd ({@code http://127.0.0.1:PORT})
 * @param resultsDir where results, charts and child JVM logs go
 * @param profile the sizes to run
 */
public record RunContext(List<String> endpoints, Path resultsDir, Profile profile) {
  public RunContext {
    endpoints = List.copyOf(endpoints);
  }

  /** Where child JVMs and JMH write their logs. */
  public Path logDir() {
    return resultsDir.resolve("logs");
  }
}
