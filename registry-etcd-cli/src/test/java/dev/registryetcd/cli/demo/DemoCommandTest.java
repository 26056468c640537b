package dev.registryetcd.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.cli.RegistryEtcdCommand;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.testkit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

class DemoCommandTest {
  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.single();

  @Test
  void demoStartsItsOwnEtcdAndRunsEveryStepToTheEnd() {
    StringWriter out = new StringWriter();
    int exitCode = demo(out, Map.of(), "demo");

    assertThat(exitCode).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("== 0. etcd ==", "started a private etcd at 127.0.0.1:")
        .contains("== 1. A Java service registers echo twice (EtcdRegistry) ==",
            "kitex/registry-etcd/echo/10.0.0.7:8888",
            "{\"network\":\"tcp\",\"address\":\"10.0.0.7:8888\",\"weight\":10,\"tags\":{\"env\":\"demo\",\"zone\":\"a\"}}",
            "byte for byte")
        .contains("== 2. A client resolves echo (EtcdResolver) and subscribes to its changes ==")
        .contains("== 3. A weight changes, then an instance leaves ==", "~ echo 10.0.0.8:8888 weight=50",
            "- echo 10.0.0.7:8888")
        .contains("== 4. A Go service's registration, and a value that is not one ==",
            "+ echo 10.0.0.9:8888 weight=10 tags=-", "! kitex/registry-etcd/echo/10.0.0.66:8888: not an instance (")
        .contains("== 5. etcd loses all its data; the registry puts its instance back on its own ==",
            "the registry put kitex/registry-etcd/echo/10.0.0.8:8888 back on its own")
        .contains("== 6. The service shuts down: registry.close() ==", "no instance remains for echo",
            "stopped the private etcd and deleted its data", "demo finished in");
  }

  @Test
  void demoOnAGivenEtcdUsesAPrefixOfItsOwnAndLeavesNoKeyBehind() throws Exception {
    StringWriter out = new StringWriter();
    String endpoints = String.join(",", etcd.clientEndpointsAsHostPort());

    int exitCode = demo(out, Map.of("ETCD_ENDPOINTS", endpoints), "demo");

    assertThat(exitCode).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("using etcd at " + endpoints + "; the demo's keys go under registry-etcd-demo/")
        .contains("(skipped: the demo wipes etcd only when it runs its own")
        .contains("no instance remains for echo")
        .doesNotContain("kitex/registry-etcd/");
    try (Client client = EtcdClients.newClient(etcd.clientEndpointsAsHostPort())) {
      long keys = client.getKVClient().get(ByteSequence.from("\0", StandardCharsets.UTF_8),
          GetOption.builder().isPrefix(false).withRange(ByteSequence.from("\0", StandardCharsets.UTF_8))
              .withCountOnly(true).build()).get(5, TimeUnit.SECONDS).getCount();
      assertThat(keys).as("keys left in etcd").isZero();
    }
  }

  private static int demo(StringWriter out, Map<String, String> env, String... args) {
    CommandLine commandLine = RegistryEtcdCommand.newCommandLine(new RegistryEtcdCommand(env::get));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(out, true)); // a failure's message lands next to the narration
    return commandLine.execute(args);
  }
}
