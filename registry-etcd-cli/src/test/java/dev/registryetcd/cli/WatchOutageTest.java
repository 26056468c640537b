package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdMember;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code watch} on a cluster of three: one member dying is no outage worth a line. */
class WatchOutageTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.cluster(3);

  @ParameterizedTest(name = "watch {0}")
  @ValueSource(strings = {"echo", ""})
  void killingEachMemberInTurnSaysNothingAboutLosingEtcd(String service) throws Exception {
    String prefix = "test-" + UUID.randomUUID();
    String endpoints = String.join(",", etcd.clientEndpointsAsHostPort());
    try (EtcdRegistry registry =
        EtcdRegistry.newEtcdRegistry(
            etcd.clientEndpointsAsHostPort(), Option.withEtcdServicePrefix(prefix))) {
      registry.register(info(1));
      List<String> args = new ArrayList<>(List.of("watch"));
      if (!service.isEmpty()) {
        args.add(service);
      }
      args.addAll(
          List.of(
              "--max-events", "4", "--for", "120s", "--endpoints", endpoints, "--prefix", prefix));
      Cli watch = Cli.start(args.toArray(new String[0]));
      await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("10.0.0.1:1"));

      // Whichever member the watch is on, one of these kills hits it.
      for (int i = 0; i < 3; i++) {
        EtcdMember member = etcd.member(i);
        member.kill();
        Info next = info(i + 2);
        String expected = "10.0.0." + (i + 2) + ":1";
        await()
            .atMost(Duration.ofSeconds(30))
            .ignoreExceptions()
            .untilAsserted(() -> registry.register(next));
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.out().contains(expected));
        // longer than the dial timeout (5s), within which a complaint would come
        await()
            .during(Duration.ofSeconds(7))
            .atMost(Duration.ofSeconds(10))
            .until(() -> !watch.err().contains("lost etcd"));
        member.restart();
        member.awaitHealthy(Duration.ofSeconds(30));
      }

      Cli.Result result = watch.result().get(30, TimeUnit.SECONDS);
      assertThat(result.exitCode()).isZero();
      assertThat(result.err()).doesNotContain("lost etcd").doesNotContain("cannot reach");
      assertThat(result.out().lines()).hasSize(4);
    }
  }

  private static Info info(int n) {
    return Info.builder()
        .serviceName("echo")
        .address(new InetSocketAddress("10.0.0." + n, 1))
        .build();
  }
}
