package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WatchCommandTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final Info FIRST =
      Info.builder()
          .serviceName("echo")
          .address(new InetSocketAddress("10.0.0.7", 8888))
          .weight(10)
          .tag("zone", "a")
          .build();
  private static final Info SECOND =
      Info.builder()
          .serviceName("echo")
          .address(new InetSocketAddress("10.0.0.8", 8888))
          .weight(20)
          .build();

  private String prefix;
  private EtcdRegistry registry;

  @BeforeEach
  void registerOneInstance() {
    prefix = "test-" + UUID.randomUUID();
    registry =
        EtcdRegistry.newEtcdRegistry(
            etcd.clientEndpointsAsHostPort(), Option.withEtcdServicePrefix(prefix));
    registry.register(FIRST);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void watchServicePrintsAddedUpdatedAndRemovedLines() throws Exception {
    Cli watch = Cli.start(watchArgs(4, "20s", "echo"));
    awaitPrinted(watch, "10.0.0.7");

    registry.register(SECOND);
    awaitPrinted(watch, "10.0.0.8");
    registry.register(SECOND.toBuilder().weight(50).build());
    awaitPrinted(watch, "weight=50");
    registry.deregister(FIRST);

    assertEndsHavingPrinted(
        watch,
        "+ echo 10.0.0.7:8888 weight=10 tags=zone=a",
        "+ echo 10.0.0.8:8888 weight=20 tags=-",
        "~ echo 10.0.0.8:8888 weight=50 tags=-",
        "- echo 10.0.0.7:8888 weight=10 tags=zone=a");
  }

  @Test
  void watchWithoutServiceFollowsEveryServiceUnderThePrefix() throws Exception {
    Cli watch = Cli.start(watchArgs(4, "20s"));
    awaitPrinted(watch, "10.0.0.7");

    registry.register(
        Info.builder()
            .serviceName("other")
            .address(new InetSocketAddress("10.0.1.1", 9999))
            .build());
    awaitPrinted(watch, "10.0.1.1");
    registry.register(FIRST.toBuilder().tag("zone", "b").build());
    awaitPrinted(watch, "zone=b");
    registry.deregister(FIRST);

    assertEndsHavingPrinted(
        watch,
        "+ echo 10.0.0.7:8888 weight=10 tags=zone=a",
        "+ other 10.0.1.1:9999 weight=10 tags=-",
        "~ echo 10.0.0.7:8888 weight=10 tags=zone=b",
        "- echo 10.0.0.7:8888 weight=10 tags=zone=b");
  }

  @Test
  void watchWithoutServiceKeepsFollowingThePrefixAfterEtcdRestarts() throws Exception {
    Cli watch = Cli.start(watchArgs(2, "60s"));
    awaitPrinted(watch, "10.0.0.7");

    etcd.member(0).stop(); // returns once the process has exited: the watch's connection is gone
    assertThat(etcd.member(0).isRunning()).isFalse();
    etcd.member(0).restart();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(() -> registry.register(SECOND));

    Cli.Result result = watch.result().get(30, TimeUnit.SECONDS);
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines())
        .containsExactly(
            "+ echo 10.0.0.7:8888 weight=10 tags=zone=a", "+ echo 10.0.0.8:8888 weight=20 tags=-");
  }

  @Test
  void watchJsonPrintsOneObjectPerChangeAndLine() throws Exception {
    for (String[] words : List.of(new String[] {"echo", "--json"}, new String[] {"--json"})) {
      Cli watch = Cli.start(watchArgs(2, "20s", words));
      awaitPrinted(watch, "10.0.0.7");
      registry.register(SECOND.toBuilder().weight(50).build());

      Cli.Result result = watch.result().get(10, TimeUnit.SECONDS);
      registry.deregister(SECOND);

      assertThat(result.exitCode()).isZero();
      List<JsonNode> lines = result.outJsonLines();
      assertThat(lines).hasSize(2);
      assertThat(lines.get(0).fieldNames())
          .toIterable()
          .containsExactly("event", "service", "network", "address", "weight", "tags");
      assertThat(lines.get(0).get("event").asText()).isEqualTo("added");
      assertThat(lines.get(0).get("tags").get("zone").asText()).isEqualTo("a");
      assertThat(lines.get(1).get("address").asText()).isEqualTo("10.0.0.8:8888");
      assertThat(lines.get(1).get("weight").asInt()).isEqualTo(50);
    }
  }

  @Test
  void aValueNamingNoAddressIsSkippedAndCausesNoSpuriousUpdate() throws Exception {
    for (String[] service : List.of(new String[] {"echo"}, new String[0])) {
      String[] args = watchArgs(2, "20s", service);
      Cli watch = Cli.start(args);
      awaitPrinted(watch, "10.0.0.7");
      put(prefix + "/echo/10.0.0.66:1", "null");
      put(prefix + "/echo/", "{\"address\":\"\"}");
      registry.register(SECOND);

      Cli.Result result = watch.result().get(10, TimeUnit.SECONDS);
      registry.deregister(SECOND);
      delete(prefix + "/echo/10.0.0.66:1");
      delete(prefix + "/echo/");

      assertThat(result.out().lines())
          .as(String.join(" ", args))
          .containsExactly(
              "+ echo 10.0.0.7:8888 weight=10 tags=zone=a",
              "+ echo 10.0.0.8:8888 weight=20 tags=-");
    }
  }

  private void put(String key, String value) throws Exception {
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort())) {
      client
          .getKVClient()
          .put(
              ByteSequence.from(key, StandardCharsets.UTF_8),
              ByteSequence.from(value, StandardCharsets.UTF_8))
          .get(5, TimeUnit.SECONDS);
    }
  }

  private void delete(String key) throws Exception {
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort())) {
      client
          .getKVClient()
          .delete(ByteSequence.from(key, StandardCharsets.UTF_8))
          .get(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void watchEndsAfterTheGivenTimeWhenNothingChanges() {
    long start = System.nanoTime();

    Cli.Result result =
        Cli.run("watch", "echo", "--for", "300ms", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).containsExactly("+ echo 10.0.0.7:8888 weight=10 tags=zone=a");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  private static void awaitPrinted(Cli watch, String text) {
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains(text));
  }

  /** The command ends within 10 s, successfully, having printed exactly {@code lines}. */
  private static void assertEndsHavingPrinted(Cli watch, String... lines) throws Exception {
    Cli.Result result = watch.result().get(10, TimeUnit.SECONDS);
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).containsExactly(lines);
  }

  /** {@code watch <words> --max-events <n> --for <d>} against this test's etcd and prefix. */
  private String[] watchArgs(int maxEvents, String forDuration, String... words) {
    List<String> args = new ArrayList<>(List.of("watch"));
    args.addAll(List.of(words));
    args.addAll(
        List.of(
            "--max-events",
            String.valueOf(maxEvents),
            "--for",
            forDuration,
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix));
    return args.toArray(new String[0]);
  }

  private static String endpoints() {
    return String.join(",", etcd.clientEndpointsAsHostPort());
  }
}
