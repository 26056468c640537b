package dev.registryetcd.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
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

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .proxy(HttpClient.Builder.NO_PROXY)
          .build();

  /** Lets the example classes below run only when this test launches them. */
  private static volatile boolean runningExamples;

  @Test
  void aStaticExtensionProvidesARunningServer() throws Exception {
    assertThat(etcd.cluster().members()).hasSize(1);
    assertThat(etcd.member(0).isHealthy()).isTrue();
    assertThat(etcd.leader()).isSameAs(etcd.member(0));
    assertThat(etcd.clientEndpointsAsHostPort()).containsExactly(etcd.member(0).clientHostPort());
    post(
        etcd.clientEndpoints().get(0) + "/v3/kv/put",
        "{\"key\":\"" + b64("from-outer") + "\",\"value\":\"" + b64("yes") + "\"}");
  }

  @Nested
  class NestedTests {
    @Test
    void nestedClassesShareTheClassLevelServer() throws Exception {
      assertThat(etcd.member(0).isHealthy()).isTrue();
      String endpoint = etcd.clientEndpoints().get(0);
      post(
          endpoint + "/v3/kv/put",
          "{\"key\":\"" + b64("from-nested") + "\",\"value\":\"" + b64("yes") + "\"}");
      assertThat(post(endpoint + "/v3/kv/range", "{\"key\":\"" + b64("from-nested") + "\"}"))
          .contains("\"value\":\"" + b64("yes") + "\"");
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

  /** POSTs {@code json} to etcd's JSON gateway and returns the answer, which must be 200. */
  private static String post(String url, String json) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST %s: %s", url, response.body()).isEqualTo(200);
    return response.body();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static boolean examplesEnabled() {
    return runningExamples;
  }

  @EnabledIf("dev.registryetcd.testkit.junit.EtcdExtensionTest#examplesEnabled")
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

  @EnabledIf("dev.registryetcd.testkit.junit.EtcdExtensionTest#examplesEnabled")
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
