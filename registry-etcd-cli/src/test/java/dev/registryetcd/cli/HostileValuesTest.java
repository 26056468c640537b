package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values written into etcd by someone hostile, read back through the command's real process: no raw
 * control byte reaches stdout or stderr, no value forges a line, a huge value is cut in tables and
 * whole in JSON.
 */
class HostileValuesTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String FORGED = "\n+ echo 6.6.6.6:666 weight=99 tags=-";
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension final ScratchPrefix keys = new ScratchPrefix(etcd);
  private final String prefix = keys.prefix();

  @Test
  void noCommandPrintsARawControlByteOfAHostileKeyOrValue() throws Exception {
    putHostileValues();

    for (String[] command :
        List.of(
            args("list"),
            args("list", "--json"),
            args("get", "echo"),
            args("get", "echo", "--json"),
            args("watch", "echo", "--max-events", "3", "--for", "20s"),
            args("watch", "echo", "--json", "--max-events", "3", "--for", "20s"),
            args("watch", "--max-events", "3", "--for", "20s"),
            args("watch", "--json", "--max-events", "3", "--for", "20s"))) {
      CliProcess.Result result = CliProcess.run(BOUND, command);
      String name = String.join(" ", command);

      assertThat(result.exitCode()).as(name + ": %s", result.errText()).isZero();
      assertThat(rawControls(result.out())).as(name + " stdout").isEmpty();
      assertThat(rawControls(result.err())).as(name + " stderr").isEmpty();
      assertThat(result.outText().lines())
          .as(name + ": no forged line")
          .noneMatch(line -> line.startsWith("+ echo 6.6.6.6"));
      if (command[0].equals("get") && name.contains("--json")) {
        assertThat(JSON.readTree(result.out())).as(name).hasSize(3);
      } else {
        assertThat(result.outText().lines())
            .as(name + ": one line per instance")
            .hasSize(isTable(command) ? 4 : 3);
      }
      if (name.contains("--json") && !command[0].equals("get")) {
        for (String line : result.outText().lines().toList()) {
          assertThat(JSON.readTree(line).get("address").asText()).startsWith("10.0.0.");
        }
      }
      assertThat(result.errText()).as(name).contains("not an instance");
    }
  }

  @Test
  void aMegabyteTagIsCutInTheTableAndWholeInJson() throws Exception {
    String huge = "x".repeat(1 << 20);
    keys.put(
        prefix + "/echo/10.0.0.1:8888",
        InstanceCodec.encode(new Instance("tcp", "10.0.0.1:8888", 10, Map.of("big", huge))));

    CliProcess.Result table = CliProcess.run(BOUND, args("list"));
    CliProcess.Result json = CliProcess.run(BOUND, args("list", "--json"));

    assertThat(table.exitCode()).isZero();
    assertThat(table.out().length + table.err().length).isLessThan(200 * 1024);
    assertThat(table.outText()).contains("big=xxx").contains("...(+" + ((1 << 20) + 4 - 96));
    assertThat(json.exitCode()).isZero();
    List<String> lines = json.outText().lines().toList();
    assertThat(lines).hasSize(1);
    assertThat(JSON.readTree(lines.get(0)).get("tags").get("big").asText()).isEqualTo(huge);
  }

  /** list and get print a header line above the instances, unless --json. */
  private static boolean isTable(String[] command) {
    List<String> words = List.of(command);
    return !words.contains("--json") && (words.get(0).equals("list") || words.get(0).equals("get"));
  }

  /** Three instances whose every part is hostile, two values that are not instances. */
  private void putHostileValues() throws Exception {
    List<Instance> hostile =
        List.of(
            new Instance(
                "tcp", "10.0.0.1:1" + FORGED, 10, Map.of("zone", "a\u001b[2J\u001b[31mred\u0007")),
            new Instance("tcp\r", "10.0.0.2:1\u009b31m\u007f", 10, Map.of("k\n", "v\r")),
            new Instance("tcp", "10.0.0.3:1\u202e\u2028", 10, null));
    int i = 0;
    for (Instance info : hostile) {
      keys.put(prefix + "/echo/" + (i++) + "\u001b]0;title\u0007", InstanceCodec.encode(info));
    }
    keys.put(
        prefix + "/echo/9\u001b[2J" + FORGED,
        "{\"address\":\"\u001b[2J\u0007\r\"".getBytes(StandardCharsets.UTF_8));
    keys.put(prefix + "/echo/8\u0085", "null".getBytes(StandardCharsets.UTF_8));
  }

  /** Every C0 control but LF, DEL, and every C1 control (UTF-8 C2 80..C2 9F) in {@code bytes}. */
  static List<String> rawControls(byte[] bytes) {
    List<String> found = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xff;
      if ((b < 0x20 && b != '\n') || b == 0x7f) {
        found.add("0x" + Integer.toHexString(b) + " at " + i);
      } else if (b == 0xc2
          && i + 1 < bytes.length
          && (bytes[i + 1] & 0xff) <= 0x9f
          && (bytes[i + 1] & 0xff) >= 0x80) {
        found.add("U+00" + Integer.toHexString(bytes[i + 1] & 0xff) + " at " + i);
      }
    }
    return found;
  }

  private String[] args(String... command) {
    List<String> all = new ArrayList<>(List.of(command));
    all.addAll(List.of("--endpoints", String.join(",", etcd.clientEndpointsAsHostPort())));
    all.addAll(List.of("--prefix", prefix));
    return all.toArray(new String[0]);
  }
}
