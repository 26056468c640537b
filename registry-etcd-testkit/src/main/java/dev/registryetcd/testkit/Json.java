package dev.registryetcd.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** Reads etcd's gateway answers with Jackson into maps, lists, strings, numbers and booleans. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Parses a JSON document into maps, lists, strings, numbers, booleans and {@code null}. */
  static Object parse(String text) {
    try {
      return MAPPER.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "etcd's gateway answered with JSON that does not parse: " + text, e);
    }
  }

  /** The member {@code key} of {@code value} if it is an object, else {@code null}. */
  static Object get(Object value, String key) {
    return value instanceof Map<?, ?> map ? map.get(key) : null;
  }

  /**
   * The text of a string, number or boolean ({@code uint64} is encoded as a string by the gateway),
   * else {@code null}.
   */
  static String text(Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return null;
  }

  /** The value if it is an array, else an empty list. */
  static List<?> list(Object value) {
    return value instanceof List<?> list ? list : List.of();
  }

  /** Quotes a string as a JSON string literal. */
  static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot quote a string as JSON", e);
    }
  }
}
