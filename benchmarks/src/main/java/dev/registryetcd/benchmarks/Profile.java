package dev.registryetcd.benchmarks;

import dev.registryetcd.benchmarks.churn.ChurnScenario;
import dev.registryetcd.benchmarks.failure.FailureScenario;
import dev.registryetcd.benchmarks.fleet.FleetScenario;
import dev.registryetcd.benchmarks.gray.GrayFailureScenario;
import dev.registryetcd.benchmarks.gray.GrayFailureScenario.Fault;
import dev.registryetcd.benchmarks.propagation.PropagationScenario;
import dev.registryetcd.benchmarks.resolve.ResolveScenario;
import dev.registryetcd.benchmarks.scale.ScaleScenario;
import java.time.Duration;
import java.util.List;

/**
 * The sizes of one run of every scenario: {@link #quick()} for a few minutes, {@link #all()} for
 * the published figures, {@link #smoke()} for the test that checks the scenarios run.
 *
 * @param name {@code quick}, {@code all} or {@code smoke}
 */
public record Profile(
    String name,
    ResolveScenario.Sizes resolve,
    PropagationScenario.Sizes propagation,
    FailureScenario.Sizes failure,
    ScaleScenario.Sizes scale,
    ChurnScenario.Sizes churn,
    GrayFailureScenario.Sizes grayFailure,
    FleetScenario.Sizes fleet) {

  /** A few minutes: short JMH, 1,000 instances at scale, 10 s of churn. */
  public static Profile quick() {
    return new Profile(
        "quick",
        new ResolveScenario.Sizes(
            1,
            2,
            Duration.ofMillis(500),
            3,
            Duration.ofMillis(500),
            List.of(1, 10, 100),
            List.of(1, 8)),
        new PropagationScenario.Sizes(200, 200),
        new FailureScenario.Sizes(List.of(Duration.ofSeconds(2), Duration.ofSeconds(5)), 2, 10, 3),
        new ScaleScenario.Sizes(
            100, 10, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)),
        new ChurnScenario.Sizes(100, 10, 10, 4, 200, Duration.ofSeconds(10)),
        new GrayFailureScenario.Sizes(
            List.of(Fault.values()),
            Duration.ofSeconds(8),
            3,
            2,
            6,
            Duration.ofSeconds(20),
            Duration.ofSeconds(10),
            Duration.ofSeconds(60)),
        // fewer clients than the 200, to stay within a few minutes on 2 cores
        new FleetScenario.Sizes(
            100,
            50,
            100,
            Duration.ofMillis(50),
            50,
            60,
            Duration.ofMillis(200),
            Duration.ofSeconds(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10)));
  }

  /** The sizes: 10,000 instances at scale, 60 s of churn, 1,000 propagation samples. */
  public static Profile all() {
    return new Profile(
        "all",
        new ResolveScenario.Sizes(
            2,
            3,
            Duration.ofSeconds(1),
            5,
            Duration.ofSeconds(1),
            List.of(1, 10, 100),
            List.of(1, 8)),
        new PropagationScenario.Sizes(300, 2000),
        new FailureScenario.Sizes(List.of(Duration.ofSeconds(2), Duration.ofSeconds(5)), 5, 30, 3),
        new ScaleScenario.Sizes(
            1000, 10, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(120)),
        new ChurnScenario.Sizes(100, 10, 10, 4, 200, Duration.ofSeconds(60)),
        // issue 12: 30 s per fault, and the judged 100 s outage of the whole cluster
        new GrayFailureScenario.Sizes(
            List.of(Fault.values()),
            Duration.ofSeconds(30),
            3,
            2,
            6,
            Duration.ofSeconds(45),
            Duration.ofSeconds(100),
            Duration.ofSeconds(75)),
        // issue 16: 200 resolver clients x 50 services; 50 clients through grpc-proxy
        new FleetScenario.Sizes(
            200,
            50,
            300,
            Duration.ofMillis(50),
            50,
            100,
            Duration.ofMillis(200),
            Duration.ofSeconds(1),
            Duration.ofSeconds(60),
            Duration.ofSeconds(10)));
  }

  /** Tiny: seconds per scenario, JMH in this JVM. Checks the scenarios run, not how fast. */
  public static Profile smoke() {
    return new Profile(
        "smoke",
        new ResolveScenario.Sizes(
            0, 0, Duration.ofMillis(100), 1, Duration.ofMillis(100), List.of(1), List.of(1, 2)),
        new PropagationScenario.Sizes(2, 5),
        new FailureScenario.Sizes(List.of(Duration.ofSeconds(2)), 1, 2, 2),
        new ScaleScenario.Sizes(
            4, 5, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(5)),
        new ChurnScenario.Sizes(20, 4, 2, 2, 50, Duration.ofSeconds(3)),
        // two of the six faults, one on each kind of member, to stay within the smoke test's budget
        new GrayFailureScenario.Sizes(
            List.of(Fault.FOLLOWER_FROZEN, Fault.LEADER_BLACKHOLED),
            Duration.ofSeconds(3),
            2,
            1,
            2,
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(8)),
        // one change each way; readings 100 ms apart, memory left unsettled after 0.3 s
        new FleetScenario.Sizes(
            3,
            3,
            2,
            Duration.ZERO,
            2,
            2,
            Duration.ZERO,
            Duration.ofMillis(100),
            Duration.ofMillis(300),
            Duration.ofSeconds(5)));
  }

  /**
   * The profile called {@code name}.
   *
   * @throws IllegalArgumentException for another name
   */
  public static Profile named(String name) {
    return switch (name) {
      case "quick" -> quick();
      case "all" -> all();
      case "smoke" -> smoke();
      default ->
          throw new IllegalArgumentException("profile must be quick, all or smoke, not " + name);
    };
  }
}
