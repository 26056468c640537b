package dev.registryetcd.cli;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.registryetcd.cli.StoredValue.StoredInstance;
import dev.registryetcd.discovery.Instance;
import java.io.UncheckedIOException;

/**
 * The {@code --json} forms of instances: whole values (never cut), every control character escaped
 * by JSON's rules, and DEL, C1 controls, line separators and bidirectional overrides escaped too so
 * the output is safe on a terminal as well. Lease ids in hex, as etcd and etcdctl write them.
 * Thread-safe.
 */
final class InstanceJson {
  static final ObjectMapper JSON = newMapper();

  private InstanceJson() {}

  private static ObjectMapper newMapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.getFactory().setCharacterEscapes(new TerminalSafe());
    return mapper;
  }

  /** {@code {network,address,weight,tags}} of {@code instance}, in the Go value's order. */
  static ObjectNode instance(ObjectNode node, Instance instance) {
    node.put("network", instance.network());
    node.put("address", instance.address());
    node.put("weight", instance.weight());
    node.set("tags", instance.hasNullTags() ? JSON.nullNode() : JSON.valueToTree(instance.tags()));
    return node;
  }

  /** The instance's fields, then {@code lease} (hex, or null) and {@code ttl} (s, or null). */
  static ObjectNode stored(ObjectNode node, StoredInstance stored) {
    instance(node, stored.instance());
    node.put("lease", stored.leaseHex());
    if (stored.ttlSeconds().isPresent()) {
      node.put("ttl", stored.ttlSeconds().getAsLong());
    } else {
      node.putNull("ttl");
    }
    return node;
  }

  /** {@code node} on one line. */
  static String line(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException("cannot write JSON (in memory, should not happen)", e);
    }
  }

  /** JSON's escapes plus every character {@link TerminalText} escapes. */
  private static final class TerminalSafe extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    TerminalSafe() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
      return c <= 0xffff && TerminalText.isUnsafe((char) c)
          ? new SerializedString(String.format("\\u%04x", c))
          : null;
    }
  }
}
