package dev.registryetcd.benchmarks;

/** One benchmark scenario: measures ours and its baseline in the same run, on the run's etcd. */
public interface Scenario {

  /** Short name: {@code resolve}, {@code propagation}, ... also the name of its results file. */
  String name();

  /**
   * Runs to the end within bounded time and returns its figures; stops every process, client and
   * thread it started, also when it fails.
   */
  ScenarioResult run(RunContext context) throws Exception;
}
