package dev.registryetcd.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.benchmarks.churn.ChurnScenario;
import dev.registryetcd.benchmarks.failure.FailureScenario;
import dev.registryetcd.benchmarks.fleet.FleetScenario;
import dev.registryetcd.benchmarks.gray.GrayFailureScenario;
import dev.registryetcd.benchmarks.propagation.PropagationScenario;
import dev.registryetcd.benchmarks.report.ResultsWriter;
import dev.registryetcd.benchmarks.report.Row;
import dev.registryetcd.benchmarks.report.Verdict;
import dev.registryetcd.benchmarks.resolve.ResolveScenario;
import dev.registryetcd.benchmarks.scale.ScaleScenario;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs every scenario with {@link Profile#smoke()} sizes against a real etcd and checks that the
 * results are well-formed: every row filled in, every number finite, the JSON file readable, the
 * chart a PNG. No timing is asserted: benchmarks measure, they do not pass or fail.
 */
class BenchmarksSmokeTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final Path RESULTS = Path.of("target", "smoke-results");

  @Test
  @Timeout(120)
  void resolveRunsJmhInThisJvmAndReportsSpeedAndAllocation() {
    ScenarioResult result = run(new ResolveScenario());

    // one speed row per (size, threads), one allocation row per size and extra thread count
    assertThat(result.rows()).hasSize(3);
    assertThat(result.rows().get(0).values()).containsKeys("oursNsPerOp", "seedNsPerOp", "ratio");
    assertThat(result.rows().get(2).values()).containsKeys("bytesPerOp", "baseBytesPerOp");
  }

  @Test
  @Timeout(120)
  void propagationMeasuresBothOperationsAcrossJvmsAndDrawsTheChart() throws Exception {
    ScenarioResult result = run(new PropagationScenario());

    assertThat(result.rows()).hasSize(4);
    assertThat(result.rows().get(0).values()).containsKeys("oursP99Ms", "floorP99Ms", "ratioP99");
    // the resolver's own account of event -> listener, one per change it delivered
    assertThat(result.rows().get(2).values().get("handoffP99Ms")).isPositive();
    assertThat(result.details()).containsKeys("clock", "handoff");
    BufferedImage chart = ImageIO.read(RESULTS.resolve("propagation-latency.png").toFile());
    assertThat(chart.getWidth()).isEqualTo(1000);
    assertThat(chart.getHeight()).isEqualTo(560);
  }

  @Test
  @Timeout(120)
  void failureKillsARegisteredJvmAndClosesOneGracefully() {
    ScenarioResult result = run(new FailureScenario());

    assertThat(result.rows()).hasSize(2);
    assertThat(result.rows().get(0).values())
        .containsKeys("oursMaxMs", "plainWatchMaxMs", "targetMs");
  }

  @Test
  @Timeout(120)
  void churnEndsWithEveryResolverAgreeingWithEtcd() {
    ScenarioResult result = run(new ChurnScenario());

    assertThat(result.rows()).hasSize(3);
    assertThat(result.rows().get(1).values()).containsKeys("deliveredPerSecond", "idealPerSecond");
  }

  @Test
  @Timeout(120)
  void scaleCountsLeasesKeepAlivesAndHeap() {
    ScenarioResult result = run(new ScaleScenario());

    assertThat(result.rows()).hasSize(10);
    assertThat(result.rows().get(0).values())
        .containsKeys("oursStreams", "oursWatchers", "jetcdStreams", "jetcdWatchers");
    assertThat(result.rows().get(1).values()).containsKeys("oursStreams", "oursWatchers");
    assertThat(result.rows().get(3).values()).containsEntry("oursLeases", 1.0);
    assertThat(result.rows().get(4).values()).containsKeys("oursPerTtl", "seedPerTtl");
    assertThat(result.rows().get(8).values())
        .containsKeys("oursSeconds", "seedSeconds", "ratioMin", "ratioMedian", "ratioMax")
        .containsEntry("rounds", 7.0);
    assertThat(result.rows().get(9).values())
        .containsKeys("bytesPerInstance", "heapBefore", "heapAfter");
  }

  @Test
  @Timeout(120)
  void grayFailureFaultsOneMemberAtATimeThenStopsTheWholeCluster() {
    ScenarioResult result = run(new GrayFailureScenario());

    // three rows per fault (lost, stale while healthy, fail-over), two for the outage
    assertThat(result.rows()).hasSize(3 * Profile.smoke().grayFailure().faults().size() + 2);
    assertThat(result.rows().get(0).values())
        .containsKeys("oursLost", "plainLost", "oursLongestAbsenceMs", "plainLongestAbsenceMs");
    assertThat(result.rows().get(1).values()).containsKeys("oursStaleMs", "plainStaleMs");
    assertThat(result.rows().get(2).values()).containsKeys("oursFailoverMs", "plainFailoverMs");
    assertThat(result.details()).containsKeys("FOLLOWER_FROZEN", "LEADER_BLACKHOLED", "outage");
  }

  @Test
  @Timeout(120)
  void fleetCountsStreamsMemoryAndDeliveryAndGoesThroughGrpcProxy() {
    ScenarioResult result = run(new FleetScenario());

    // streams, delivery, memory x4, the connected floor, health; then through grpc-proxy:
    // registration, resolution, delivery, members, health
    assertThat(result.rows()).hasSize(13);
    assertThat(result.rows().get(0).values())
        .containsKeys("oursStreams", "oursWatchers", "plainStreams", "plainWatchers");
    assertThat(result.rows().get(0).values().get("oursWatchers"))
        .isEqualTo(
            (double) (Profile.smoke().fleet().clients() * Profile.smoke().fleet().services()));
    assertThat(result.rows().get(1).values()).containsKeys("oursP99Ms", "plainP99Ms", "ratioP99");
    assertThat(result.rows().get(3).values()).containsKeys("oursKibPerClient", "plainKibPerClient");
    Map<String, Double> live = result.rows().get(4).values();
    assertThat(live)
        .containsKeys("oursStackBytes", "oursGoroutines", "plainStackBytes", "plainGoroutines");
    // What the members hold after a collection: jetcd connects each client to every member (give or
    // take the readings' own HTTP connections).
    double everyMember = 3.0 * Profile.smoke().fleet().clients();
    assertThat(live.get("oursConnections")).isBetween(everyMember - 2, everyMember + 2);
    assertThat(live.get("plainConnections")).isBetween(everyMember - 2, everyMember + 2);
    assertThat(live.get("oursLiveHeapBytes")).isPositive();
    assertThat(live.get("plainLiveHeapBytes")).isGreaterThan(live.get("oursLiveHeapBytes"));
    assertThat(result.rows().get(6).values())
        .containsKeys("connectedKibPerClient", "connectedLiveHeapBytes", "connectedConnections");
    assertThat(result.details()).containsKeys("connected", "ours", "plain", "churn", "grpcProxy");
  }

  @Test
  @Timeout(30)
  void aScenarioThatThrowsBecomesAnErrorRow() {
    Scenario broken =
        new Scenario() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public ScenarioResult run(RunContext context) {
            throw new IllegalStateException("etcd went away");
          }
        };

    ScenarioResult result = BenchMain.runOne(broken, context());

    assertThat(result.rows())
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.verdict()).isEqualTo(Verdict.ERROR);
              assertThat(row.ours()).isEqualTo("etcd went away");
            });
  }

  private static RunContext context() {
    return new RunContext(etcd.clientEndpoints(), RESULTS, Profile.smoke());
  }

  /**
   * Runs {@code scenario} as the benchmark command does, and checks what every scenario must give.
   */
  private static ScenarioResult run(Scenario scenario) {
    ScenarioResult result = BenchMain.runOne(scenario, context());

    assertThat(result.scenario()).isEqualTo(scenario.name());
    assertThat(result.notes()).isNotEmpty();
    for (Row row : result.rows()) {
      assertThat(row.verdict())
          .as("%s: %s", row.benchmark(), row.ours())
          .isNotEqualTo(Verdict.ERROR);
      assertThat(row.scenario()).isEqualTo(scenario.name());
      assertThat(row.benchmark()).isNotBlank();
      assertThat(row.ours()).isNotBlank();
      assertThat(row.baseline()).isNotBlank();
      assertThat(row.ratio()).isNotBlank();
      assertThat(row.target()).isNotBlank();
      assertThat(row.values())
          .isNotEmpty()
          .allSatisfy((name, value) -> assertThat(value).as(name).isFinite());
    }
    Object json = ResultsWriter.readJson(RESULTS.resolve(scenario.name() + ".json"));
    assertThat(json)
        .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
        .containsKeys("rows", "notes", "details");
    return result;
  }
}
