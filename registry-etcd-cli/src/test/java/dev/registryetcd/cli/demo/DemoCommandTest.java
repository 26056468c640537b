package dev.registryetcd.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.cli.RegistryEtcdCommand;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

class DemoCommandTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  /** A demo that hangs must fail the test, not hold the build. */
  private static final Duration BOUND = Duration.ofSeconds(90);

  private static final Pattern SPLIT_ROW = Pattern.compile("(?m)^ {4}([abc]) +([123]) +(\\d+) +");
  private static final Pattern DATA_DIR = Pattern.compile("data in (\\S+)\\)");

  @Test
  void demoStartsItsOwnEtcdSplitsCallsByWeightAndFollowsServersAsTheyLeave() throws Exception {
    String out = demo(Map.of(), "demo");

    assertThat(out)
        .contains("== 0. etcd ==", "started a private etcd at 127.0.0.1:")
        .contains(
            "== 1. Three gRPC Echo servers register as echo, weights 1, 2, 3 ==",
            "\"weight\":1,\"tags\":{\"server\":\"a\"}}",
            "byte for byte",
            "resolver.resolve(\"hello\"): 127.0.0.1:8888 weight=10")
        .contains("== 2. A client calls etcd:///echo: the calls split by weight ==", "600 calls in")
        .contains(
            "== 3. b shuts down gracefully while the client keeps calling ==",
            "the client's resolver saw b removed")
        .containsPattern(
            "calls from close\\(\\) until 300 calls after the removal: \\d+, failed: 0;")
        .contains(
            "== 4. c is killed (SIGKILL) and never deregisters ==",
            "the client's resolver saw c removed")
        .contains(
            "== 5. What etcd holds now, as registry-etcd list prints it ==",
            "SERVICE  ADDRESS",
            "server=a")
        .containsPattern("hello +127\\.0\\.0\\.1:8888 +tcp +10 +- +-")
        .contains("stopped the private etcd and deleted its data", "demo finished in");
    assertThat(out.substring(out.indexOf("== 5."))).doesNotContain("server=b", "server=c");
    assertSplitIsRoughlyOneTwoThree(out);
    Matcher dataDir = DATA_DIR.matcher(out);
    assertThat(dataDir.find()).as("the data directory is named").isTrue();
    assertThat(Path.of(dataDir.group(1))).as("the private etcd's data").doesNotExist();
    assertNoDemoServerLeft();
  }

  @Test
  void demoOnAGivenEtcdUsesAPrefixOfItsOwnAndLeavesNoKeyBehind() throws Exception {
    String endpoints = String.join(",", etcd.clientEndpointsAsHostPort());

    String out = demo(Map.of("ETCD_ENDPOINTS", endpoints), "demo");

    assertThat(out)
        .contains("using etcd at " + endpoints + "; the demo's keys go under registry-etcd-demo/")
        .contains("the client's resolver saw c removed", "demo finished in")
        .doesNotContain("kitex/registry-etcd/", "private etcd");
    assertSplitIsRoughlyOneTwoThree(out);
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort())) {
      long keys =
          client
              .getKVClient()
              .get(
                  ByteSequence.from("\0", StandardCharsets.UTF_8),
                  GetOption.builder()
                      .isPrefix(false)
                      .withRange(ByteSequence.from("\0", StandardCharsets.UTF_8))
                      .withCountOnly(true)
                      .build())
              .get(5, TimeUnit.SECONDS)
              .getCount();
      assertThat(keys).as("keys left in etcd").isZero();
    }
    assertNoDemoServerLeft();
  }

  /** Each server got at least half of its share of the 600 counted calls (weights 1:2:3). */
  private static void assertSplitIsRoughlyOneTwoThree(String out) {
    Map<String, Long> calls = new HashMap<>();
    Matcher row = SPLIT_ROW.matcher(out);
    while (row.find()) {
      long weight = Long.parseLong(row.group(2));
      long count = Long.parseLong(row.group(3));
      assertThat(count)
          .as("calls to %s (weight %d) of 600", row.group(1), weight)
          .isGreaterThanOrEqualTo(600 * weight / 6 / 2);
      calls.put(row.group(1), count);
    }
    assertThat(calls).as(out).containsOnlyKeys("a", "b", "c");
    assertThat(calls.values().stream().mapToLong(Long::longValue).sum()).isLessThanOrEqualTo(600);
  }

  private static void assertNoDemoServerLeft() {
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse(""))
                .filter(command -> command.contains("demo-server")))
        .as("demo-server processes left")
        .isEmpty();
  }

  /**
   * Runs the demo with {@code env}; asserts exit code 0 within {@link #BOUND}; returns stdout and
   * stderr.
   */
  private static String demo(Map<String, String> env, String... args) throws Exception {
    StringWriter out = new StringWriter();
    CommandLine commandLine = RegistryEtcdCommand.newCommandLine(new RegistryEtcdCommand(env::get));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(
        new PrintWriter(out, true)); // a failure's message lands next to the narration
    int exitCode =
        CompletableFuture.supplyAsync(() -> commandLine.execute(args))
            .get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertThat(exitCode).as(out.toString()).isZero();
    return out.toString();
  }
}
