package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.junit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * One of three instances, each a process of its own, is SIGKILLed while a caller makes 1,000
 * load-balanced calls: with the starter's defaults the caller loses at most one of them, although
 * the dead instance keeps its key (default lease 60 s) until long after the calls.
 */
class KilledInstanceTest {
  private static final String SERVICE = "kill-echo";
  private static final String PREFIX = "kitex/registry-etcd/" + SERVICE + "/";
  private static final int CALLS = 1_000;
  private static final int KILL_AT = 300;

  @RegisterExtension final EtcdExtension etcd = EtcdExtension.single();

  private final List<Process> instances = new ArrayList<>();

  @AfterEach
  void stopInstances() {
    instances.forEach(Process::destroyForcibly);
  }

  @Test
  void withTheDefaultsAKilledInstanceCostsAtMostOneCall() throws Exception {
    int failed = callAcrossAKill();

    System.out.printf("KilledInstanceTest: %d of %d calls failed (defaults)%n", failed, CALLS);
    assertThat(failed).isLessThanOrEqualTo(1);
  }

  /** The control: what the defaults prevent. Tagged so that a build can leave it out (Boot 3's). */
  @Test
  @Tag("control")
  void withoutHoldingOutRefusingInstancesAShareOfTheCallsFails() throws Exception {
    int failed = callAcrossAKill("registry.etcd.discovery.hold-out-refusing=false");

    System.out.printf(
        "KilledInstanceTest: %d of %d calls failed (hold-out-refusing=false)%n", failed, CALLS);
    assertThat(failed).isGreaterThan(100);
  }

  private int callAcrossAKill(String... callerProperties) throws Exception {
    try (Client client = EtcdClients.newClient(etcd.clientEndpoints())) {
      for (int i = 0; i < 3; i++) {
        instances.add(startInstance(i));
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> keysUnder(client).size() == 3);
      List<String> props = new ArrayList<>();
      props.add("spring.application.name=kill-caller");
      props.add(endpoints());
      props.addAll(List.of(callerProperties));
      try (ConfigurableApplicationContext caller =
          TestApp.start(List.of(), props.toArray(String[]::new))) {
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> caller.getBean(DiscoveryClient.class).getInstances(SERVICE).size() == 3);
        RestClient rest = caller.getBean(RestClient.Builder.class).build();
        String victimKey = null;
        int failed = 0;
        for (int call = 0; call < CALLS; call++) {
          if (call == KILL_AT) {
            victimKey = keysUnder(client).get(0);
            Process victim = instanceListeningAt(victimKey);
            victim.destroyForcibly(); // SIGKILL: no deregistration, no graceful shutdown
            assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
          }
          try {
            rest.get().uri("http://" + SERVICE + "/hello").retrieve().body(String.class);
          } catch (RuntimeException e) {
            failed++;
          }
        }
        assertThat(keysUnder(client))
            .as("the killed instance is still registered after the calls")
            .contains(victimKey);
        return failed;
      }
    }
  }

  /** The instance process whose log names the port in {@code key}. */
  private Process instanceListeningAt(String key) throws Exception {
    String port = key.substring(key.lastIndexOf(':') + 1);
    for (int i = 0; i < instances.size(); i++) {
      String log = java.nio.file.Files.readString(logOf(i));
      if (log.contains("Tomcat started on port " + port + " ")) {
        return instances.get(i);
      }
    }
    throw new AssertionError("no instance process listens on " + port);
  }

  private Process startInstance(int index) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx192m",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            KillableEcho.class.getName(),
            "spring.application.name=" + SERVICE,
            endpoints());
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(logOf(index).toFile())
        .start();
  }

  private static Path logOf(int index) {
    return Path.of("target", "killed-instance-" + index + ".log").toAbsolutePath();
  }

  private String endpoints() {
    return "registry.etcd.endpoints=" + String.join(",", etcd.clientEndpointsAsHostPort());
  }

  private static List<String> keysUnder(Client client) throws Exception {
    return client
        .getKVClient()
        .get(ByteSequence.from(PREFIX, UTF_8), GetOption.builder().isPrefix(true).build())
        .get(10, TimeUnit.SECONDS)
        .getKvs()
        .stream()
        .map(kv -> kv.getKey().toString(UTF_8))
        .sorted()
        .toList();
  }
}
