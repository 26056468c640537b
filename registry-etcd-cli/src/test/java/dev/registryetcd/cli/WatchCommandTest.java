package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
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
    Cli watch =
        Cli.start(
            "watch",
            "echo",
            "--max-events",
            "4",
            "--for",
            "20s",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("10.0.0.7"));

    registry.register(SECOND);
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("10.0.0.8"));
    registry.register(SECOND.toBuilder().weight(50).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("weight=50"));
    registry.deregister(FIRST);

    Cli.Result result = watch.result().get(10, TimeUnit.SECONDS);
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines())
        .containsExactly(
            "+ echo 10.0.0.7:8888 weight=10 tags=zone=a",
            "+ echo 10.0.0.8:8888 weight=20 tags=-",
            "~ echo 10.0.0.8:8888 weight=50 tags=-",
            "- echo 10.0.0.7:8888 weight=10 tags=zone=a");
  }

  @Test
  void watchWithoutServiceFollowsEveryServiceUnderThePrefix() throws Exception {
    Cli watch =
        Cli.start(
            "watch",
            "--max-events",
            "4",
            "--for",
            "20s",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("10.0.0.7"));

    registry.register(
        Info.builder()
            .serviceName("other")
            .address(new InetSocketAddress("10.0.1.1", 9999))
            .build());
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("10.0.1.1"));
    registry.register(FIRST.toBuilder().tag("zone", "b").build());
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("zone=b"));
    registry.deregister(FIRST);

    Cli.Result result = watch.result().get(10, TimeUnit.SECONDS);
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines())
        .containsExactly(
            "+ echo 10.0.0.7:8888 weight=10 tags=zone=a",
            "+ other 10.0.1.1:9999 weight=10 tags=-",
            "~ echo 10.0.0.7:8888 weight=10 tags=zone=b",
            "- echo 10.0.0.7:8888 weight=10 tags=zone=b");
  }

  @Test
  void watchWithoutServiceKeepsFollowingThePrefixAfterEtcdRestarts() throws Exception {
    Cli watch =
        Cli.start(
            "watch",
            "--max-events",
            "2",
            "--for",
            "60s",
            "--endpoints",
            endpoints(),
            "--prefix",
            prefix);
    await().atMost(Duration.ofSeconds(10)).until(() -> watch.out().contains("10.0.0.7"));

    etcd.member(0).stop();
    Thread.sleep(1000); // long enough for the watch to notice
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
  void watchEndsAfterTheGivenTimeWhenNothingChanges() {
    long start = System.nanoTime();

    Cli.Result result =
        Cli.run("watch", "echo", "--for", "300ms", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).containsExactly("+ echo 10.0.0.7:8888 weight=10 tags=zone=a");
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  private static String endpoints() {
    return String.join(",", etcd.clientEndpointsAsHostPort());
  }
}
