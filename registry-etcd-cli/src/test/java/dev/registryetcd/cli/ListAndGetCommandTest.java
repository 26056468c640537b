package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ListAndGetCommandTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final String GO_VALUE =
      "{\"network\":\"tcp\",\"address\":\"10.0.0.9:8888\",\"weight\":0,\"tags\":null}";

  @RegisterExtension final ScratchPrefix keys = new ScratchPrefix(etcd);
  private final String prefix = keys.prefix();
  private EtcdRegistry registry;

  @BeforeEach
  void registerEchoTwiceAndAGoInstance() throws Exception {
    registry =
        EtcdRegistry.newEtcdRegistry(
            etcd.clientEndpointsAsHostPort(),
            Option.withEtcdServicePrefix(prefix),
            Option.withLeaseTtl(Duration.ofSeconds(30)));
    registry.register(
        Info.builder()
            .serviceName("echo")
            .address(new InetSocketAddress("10.0.0.7", 8888))
            .weight(10)
            .tag("zone", "a")
            .tag("env", "prod")
            .build());
    registry.register(
        Info.builder()
            .serviceName("echo")
            .address(new InetSocketAddress("10.0.0.8", 8888))
            .weight(20)
            .build());
    registry.register(
        Info.builder()
            .serviceName("echo-b")
            .address(new InetSocketAddress("10.0.1.1", 9999))
            .weight(30)
            .build());
    keys.put(prefix + "/echo/10.0.0.9:8888", GO_VALUE);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void listPrintsEveryServiceWithItsInstances() {
    Cli.Result result = Cli.run("list", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines).hasSize(5);
    assertThat(lines.get(0)).matches("SERVICE +ADDRESS +NETWORK +WEIGHT +TAGS +TTL");
    assertThat(lines.get(1))
        .matches("echo +10\\.0\\.0\\.7:8888 +tcp +10 +env=prod,zone=a +(2\\d|30)");
    assertThat(lines.get(2)).matches("echo +10\\.0\\.0\\.8:8888 +tcp +20 +- +(2\\d|30)");
    assertThat(lines.get(3))
        .as("a Go value without lease, weight 0 read as 10")
        .matches("echo +10\\.0\\.0\\.9:8888 +tcp +10 +- +-");
    assertThat(lines.get(4)).matches("echo-b +10\\.0\\.1\\.1:9999 +tcp +30 +- +(2\\d|30)");
    assertThat(
            lines.stream()
                .map(line -> line.indexOf(line.contains("ADDRESS") ? "ADDRESS" : "10.0."))
                .distinct())
        .as("columns are aligned")
        .hasSize(1);
  }

  @Test
  void listSaysWhenNoServiceIsRegisteredUnderThePrefix() {
    Cli.Result result = Cli.run("list", "--endpoints", endpoints(), "--prefix", prefix + "-empty");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo(
            "no service is registered under "
                + prefix
                + "-empty/ at "
                + endpoints()
                + System.lineSeparator());
  }

  @Test
  void listMarksAValueThatIsNotAnInstanceAsSkipped() throws Exception {
    keys.put(prefix + "/echo/10.0.0.66:8888", "{\"network\":");

    Cli.Result result = Cli.run("list", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    assertThat(result.err())
        .startsWith(
            "! " + prefix + "/echo/10.0.0.66:8888: not an instance (value is not valid " + "JSON");
    assertThat(result.out()).doesNotContain("10.0.0.66").contains("10.0.0.7:8888");
  }

  @Test
  void getShowsTheInstancesOfOneServiceOnly() {
    Cli.Result result = Cli.run("get", "echo", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    List<String> lines = result.out().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).matches("ADDRESS +NETWORK +WEIGHT +TAGS +TTL");
    assertThat(lines.get(1)).matches("10\\.0\\.0\\.7:8888 +tcp +10 +env=prod,zone=a +(2\\d|30)");
    assertThat(lines.get(3)).matches("10\\.0\\.0\\.9:8888 +tcp +10 +- +-");
    assertThat(result.out()).as("echo-b is another service").doesNotContain("10.0.1.1");
  }

  @Test
  void getJsonPrintsAnArrayOfInstances() throws Exception {
    Cli.Result result =
        Cli.run("get", "echo", "--json", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    JsonNode array = new ObjectMapper().readTree(result.out());
    assertThat(array.isArray()).isTrue();
    assertThat(array).hasSize(3);
    JsonNode first = array.get(0);
    assertThat(first.fieldNames())
        .toIterable()
        .containsExactly("network", "address", "weight", "tags", "lease", "ttl");
    assertThat(first.get("address").asText()).isEqualTo("10.0.0.7:8888");
    assertThat(first.get("weight").asInt()).isEqualTo(10);
    assertThat(first.get("tags").get("zone").asText()).isEqualTo("a");
    assertThat(first.get("ttl").asLong()).isBetween(1L, 30L);
    assertThat(first.get("lease").asText()).isEqualTo(Long.toHexString(registry.leaseId()));
    JsonNode go = array.get(2);
    assertThat(go.get("weight").asInt()).isEqualTo(10);
    assertThat(go.get("tags").isNull()).isTrue();
    assertThat(go.get("ttl").isNull()).isTrue();
    assertThat(go.get("lease").isNull()).isTrue();
  }

  @Test
  void listJsonPrintsOneObjectPerInstanceAndLine() throws Exception {
    Cli.Result result = Cli.run("list", "--json", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isZero();
    List<JsonNode> lines = result.outJsonLines();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0).fieldNames())
        .toIterable()
        .containsExactly("service", "key", "network", "address", "weight", "tags", "lease", "ttl");
    assertThat(lines.get(0).get("key").asText()).isEqualTo(prefix + "/echo/10.0.0.7:8888");
    assertThat(lines.get(0).get("lease").asText()).isEqualTo(Long.toHexString(registry.leaseId()));
    assertThat(lines.stream().map(line -> line.get("service").asText()))
        .containsExactly("echo", "echo", "echo", "echo-b");
  }

  @Test
  void theKeyWithNothingAfterTheServiceIsAnInstanceForGetAndListAsForTheResolver()
      throws Exception {
    keys.put(prefix + "/echo/", GO_VALUE.replace("10.0.0.9", "10.0.0.10"));

    Cli.Result get = Cli.run("get", "echo", "--endpoints", endpoints(), "--prefix", prefix);
    Cli.Result list = Cli.run("list", "--endpoints", endpoints(), "--prefix", prefix);
    List<String> resolved;
    try (EtcdResolver resolver =
        EtcdResolver.newEtcdResolver(
            etcd.clientEndpointsAsHostPort(), Option.withEtcdServicePrefix(prefix))) {
      resolved = resolver.resolve("echo").instances().stream().map(Instance::address).toList();
    }

    assertThat(resolved).contains("10.0.0.10:8888");
    assertThat(get.out()).contains("10.0.0.10:8888");
    assertThat(list.out()).contains("10.0.0.10:8888");
    assertThat(get.err() + list.err()).isEmpty();
  }

  @Test
  void aValueNamingNoAddressIsSkippedWithAWarningByGetAndListAsByTheResolver() throws Exception {
    keys.put(prefix + "/echo/10.0.0.11:8888", "null");
    keys.put(
        prefix + "/echo/10.0.0.12:8888", "{\"network\":\"tcp\",\"address\":\"\",\"weight\":5}");

    Cli.Result get = Cli.run("get", "echo", "--endpoints", endpoints(), "--prefix", prefix);
    Cli.Result list = Cli.run("list", "--endpoints", endpoints(), "--prefix", prefix);
    int resolved;
    try (EtcdResolver resolver =
        EtcdResolver.newEtcdResolver(
            etcd.clientEndpointsAsHostPort(), Option.withEtcdServicePrefix(prefix))) {
      resolved = resolver.resolve("echo").instances().size();
    }

    assertThat(resolved).isEqualTo(3);
    for (Cli.Result result : List.of(get, list)) {
      assertThat(result.exitCode()).isZero();
      assertThat(result.err().lines())
          .containsExactly(
              "! "
                  + prefix
                  + "/echo/10.0.0.11:8888: not an instance (value names no address "
                  + "(\"address\" is missing, null or empty): no client can dial it)",
              "! "
                  + prefix
                  + "/echo/10.0.0.12:8888: not an instance (value names no address "
                  + "(\"address\" is missing, null or empty): no client can dial it)");
    }
    assertThat(get.out().lines()).hasSize(4);
  }

  @Test
  void getOfAServiceWithoutInstancesExitsWith3() {
    Cli.Result result = Cli.run("get", "nobody", "--endpoints", endpoints(), "--prefix", prefix);

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).contains("no instance remains for nobody");
  }

  private static String endpoints() {
    return String.join(",", etcd.clientEndpointsAsHostPort());
  }
}
