package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whatever lands under the prefix, the resolver serves the valid instances and its watch lives on.
 */
class EtcdResolverHostileInputTest {
  private static final String PREFIX = "kitex/registry-etcd/hostile/";

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final EtcdFixture fixture = new EtcdFixture(etcd);

  private static byte[] json(String address, String tagValue) {
    return InstanceCodec.encode(
        new Instance("tcp", address, 10, tagValue == null ? null : Map.of("t", tagValue)));
  }

  /** An instance at {@code address} with an unknown field of {@code arrays} nested arrays. */
  private static byte[] nestedArrays(String address, int arrays) {
    return ("{\"address\":\""
            + address
            + "\",\"x\":"
            + "[".repeat(arrays)
            + "]".repeat(arrays)
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void hostileValuesAreSkippedValidOnesServedAndTheWatchSurvives() {
    Map<String, byte[]> written = new TreeMap<>();
    try (EtcdProbe probe = fixture.probe();
        EtcdResolver resolver = fixture.resolver()) {
      write(probe, written, PREFIX + "first", json("127.0.0.1:1", null));
      assertThat(resolver.resolve("hostile").instances()).hasSize(1);

      // Everything below reaches the resolver through its watch.
      Random random = new Random(20261125L);
      for (int i = 0; i < 2000; i++) {
        byte[] garbage = new byte[1 + random.nextInt(200)];
        random.nextBytes(garbage);
        if (i % 4 == 0) {
          garbage[0] = '{';
        }
        write(probe, written, PREFIX + "random-" + i, garbage);
      }
      write(probe, written, PREFIX + "huge-valid", json("127.0.0.1:2", "x".repeat(1_400_000)));
      byte[] hugeGarbage = new byte[1_400_000];
      random.nextBytes(hugeGarbage);
      write(probe, written, PREFIX + "huge-garbage", hugeGarbage);
      write(probe, written, PREFIX + "deep-valid", nestedArrays("127.0.0.1:3", 9000));
      write(probe, written, PREFIX + "deep-invalid", nestedArrays("127.0.0.1:4", 20000));
      write(probe, written, PREFIX + "extra/segments/here", json("127.0.0.1:5", "a/b"));
      write(probe, written, PREFIX, json("127.0.0.1:6", null)); // nothing after the service name
      write(
          probe,
          written,
          "kitex/registry-etcd/hostile",
          json("127.0.0.1:66", null)); // not under hostile/
      write(probe, written, PREFIX + "last", json("127.0.0.1:7", "<&>\u2028"));

      List<String> expected =
          written.entrySet().stream()
              .filter(e -> e.getKey().startsWith(PREFIX))
              .filter(e -> decodes(e.getValue()))
              .map(e -> InstanceCodec.decode(e.getValue()).address())
              .toList();
      assertThat(expected)
          .contains(
              "127.0.0.1:1",
              "127.0.0.1:2",
              "127.0.0.1:3",
              "127.0.0.1:5",
              "127.0.0.1:6",
              "127.0.0.1:7")
          .doesNotContain("127.0.0.1:4", "127.0.0.1:66");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(resolver.resolve("hostile").instances())
                      .extracting(Instance::address)
                      .containsExactlyElementsOf(expected));

      // a fresh resolver reading all of it at once (several MiB in one range) agrees
      try (EtcdResolver fresh = fixture.resolver()) {
        assertThat(fresh.resolve("hostile").instances())
            .extracting(Instance::address)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  private static void write(
      EtcdProbe probe, Map<String, byte[]> written, String key, byte[] value) {
    probe.put(key, value);
    written.put(key, value);
  }

  private static boolean decodes(byte[] value) {
    try {
      InstanceCodec.decode(value);
      return true;
    } catch (MalformedInstanceException e) {
      return false;
    }
  }
}
