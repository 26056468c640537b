package dev.registryetcd.cli;

import dev.registryetcd.discovery.Instance;
import java.util.Map;
import java.util.StringJoiner;

/**
 * How instances read on a terminal: {@code + echo 10.0.0.7:8888 weight=10 tags=zone=a}. Stateless.
 */
public final class InstanceText {
  private InstanceText() {}

  /**
   * One change line: {@code sign} ({@code +} added, {@code ~} updated, {@code -} removed), the
   * service, the address, {@code network=} when not tcp, the weight and the tags; every part from
   * etcd escaped and cut ({@link TerminalText#cell}).
   */
  public static String line(char sign, String service, Instance instance) {
    return sign + " " + TerminalText.cell(service) + " " + describe(instance);
  }

  /**
   * {@code 10.0.0.7:8888 weight=10 tags=zone=a}, with {@code network=unix} after the address when
   * not tcp; escaped and cut as {@link #line} is.
   */
  public static String describe(Instance instance) {
    return TerminalText.cell(instance.address())
        + (instance.network().equals("tcp")
            ? ""
            : " network=" + TerminalText.cell(instance.network()))
        + " weight="
        + instance.weight()
        + " tags="
        + TerminalText.cell(tags(instance.tags()));
  }

  /**
   * {@code k=v,k2=v2} in the stored order (Go's: sorted by key), or {@code -} for none; raw, for a
   * {@link Table} cell (which escapes and cuts it).
   */
  public static String tags(Map<String, String> tags) {
    if (tags == null || tags.isEmpty()) {
      return "-";
    }
    StringJoiner text = new StringJoiner(",");
    tags.forEach((key, value) -> text.add(key + "=" + value));
    return text.toString();
  }
}
