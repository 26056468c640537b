package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

class EtcdExtensionTest {

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  /** Lets the example classes below run only when this test launches them. */
  private static volatile boolean runningExamples;

  @Test
  void aStaticExtensionProvidesARunningServer() throws Exception {
    assertThat(etcd.cluster().members()).hasSize(1);
    assertThat(etcd.member(0).isHealthy()).isTrue();
    assertThat(etcd.leader()).isSameAs(etcd.member(0));
    assertThat(etcd.clientEndpointsAsHostPort()).containsExactly(etcd.member(0).clientHostPort());
    Gateway.put(etcd.clientEndpoints().get(0), "from-outer", "yes");
  }

  @Nested
  class NestedTests {
    @Test
    void nestedClassesShareTheClassLevelServer() throws Exception {
      assertThat(etcd.member(0).isHealthy()).isTrue();
      String endpoint = etcd.clientEndpoints().get(0);
      Gateway.put(endpoint, "from-nested", "yes");
      assertThat(Gateway.read(endpoint, "from-nested")).contains("yes");
    }
  }

  @Test
  void aFailingTestKeepsItsEtcdLogsAndEveryClusterIsClosed() throws Exception {
    Path savedLog = Path.of("target", "etcd-logs", "EtcdExtensionTest$FailingExample-etcd-0.log");
    Files.deleteIfExists(savedLog);

    TestExecutionSummary failing = run(FailingExample.class);
    assertThat(failing.getTestsFailedCount()).isEqualTo(1);
    assertThat(failing.getFailures().get(0).getException()).hasMessage("deliberate failure");
    assertThat(savedLog).exists();
    assertThat(Files.readString(savedLog)).contains("--- etcd-testkit", "--name=etcd-0");
    assertThat(FailingExample.root).doesNotExist();
    assertThat(ProcessHandle.of(FailingExample.pid).filter(ProcessHandle::isAlive)).isEmpty();
    Files.delete(savedLog);

    TestExecutionSummary perTest = run(PerTestExample.class);
    assertThat(perTest.getTestsSucceededCount()).isEqualTo(2);
    assertThat(perTest.getTotalFailureCount()).isZero();
    assertThat(PerTestExample.roots)
        .hasSize(2)
        .doesNotHaveDuplicates()
        .allSatisfy(root -> assertThat(root).doesNotExist());
    assertThat(Path.of("target", "etcd-logs")).isEmptyDirectory();
  }

  private static TestExecutionSummary run(Class<?> testClass) {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    Launcher launcher = LauncherFactory.create();
    runningExamples = true;
    try {
      launcher.execute(
          LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
          listener);
    } finally {
      runningExamples = false;
    }
    return listener.getSummary();
  }

  static boolean examplesEnabled() {
    return runningExamples;
  }

  @EnabledIf("dev.registryetcd.testkit.EtcdExtensionTest#examplesEnabled")
  static class FailingExample {
    @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();
    static volatile Path root;
    static volatile long pid;

    @Test
    void fails() {
      root = etcd.cluster().dataRoot();
      pid = etcd.member(0).pid();
      fail("deliberate failure");
    }
  }

  @EnabledIf("dev.registryetcd.testkit.EtcdExtensionTest#examplesEnabled")
  static class PerTestExample {
    static final List<Path> roots = new CopyOnWriteArrayList<>();

    @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

    @Test
    void first() {
      assertThat(etcd.member(0).isHealthy()).isTrue();
      roots.add(etcd.cluster().dataRoot());
    }

    @Test
    void second() {
      assertThat(etcd.member(0).isHealthy()).isTrue();
      roots.add(etcd.cluster().dataRoot());
    }
  }
}
