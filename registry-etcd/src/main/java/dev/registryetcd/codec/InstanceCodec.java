package dev.registryetcd.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.registryetcd.discovery.Instance;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts an {@link Instance} to and from the bytes the Go extension keeps in etcd, its {@code
 * instanceInfo}: {@code {"network":..,"address":..,"weight":..,"tags":..}}.
 *
 * <p>{@link #encode} writes what Go's {@code encoding/json} writes for the same instance, byte for
 * byte: fields in declaration order, tags sorted by key, {@code <}, {@code >}, {@code &}, U+2028
 * and U+2029 escaped, {@code "tags":null} when {@link Instance#hasNullTags()}. {@link #decode}
 * accepts exactly what Go's {@code json.Unmarshal} accepts: field names matched case-insensitively,
 * the last duplicate wins, unknown fields ignored, invalid UTF-8 replaced by U+FFFD, and nothing
 * but strict JSON. The weight is Go's 64-bit {@code int}, kept as written: a weight {@code <= 0}
 * stays as it is here, and a resolver hands out its default weight instead ({@link
 * Instance#withDefaultWeight}).
 *
 * <p>One file for both directions, a little over 400 lines, because encoder and decoder are the two
 * halves of one byte-exact contract with Go's {@code encoding/json} and are read against each
 * other; most of the length is Go's escaping and case-folding rules, each with its reason.
 *
 * <p>Thread-safe and stateless.
 */
public final class InstanceCodec {

  /** Go's decoder gives up past this nesting depth; unknown fields may nest up to it. */
  private static final int GO_MAX_NESTING_DEPTH = 10_000;

  /**
   * The oldest jackson-core this codec runs on: {@code StreamReadConstraints.maxNameLength} came in
   * 2.16. Checked before anything else touches Jackson, so an application that brings an older one
   * gets a message naming both versions at first use, not a {@code NoSuchMethodError}.
   */
  static final String MIN_JACKSON = "2.16.0";

  private static final String JACKSON_PROBLEM = JacksonVersion.problem(MIN_JACKSON);

  private static final JsonFactory JSON = JACKSON_PROBLEM == null ? newFactory() : null;

  private static JsonFactory newFactory() {
    return JsonFactory.builder()
        .streamReadConstraints(
            StreamReadConstraints.builder()
                .maxNestingDepth(GO_MAX_NESTING_DEPTH)
                .maxNumberLength(Integer.MAX_VALUE)
                .maxStringLength(Integer.MAX_VALUE)
                .maxNameLength(Integer.MAX_VALUE)
                .build())
        .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
        .build()
        .setCharacterEscapes(new GoEscapes());
  }

  private static JsonFactory json() {
    if (JSON == null) {
      throw new IllegalStateException(JACKSON_PROBLEM);
    }
    return JSON;
  }

  private static final String[] FIELDS = {"network", "address", "weight", "tags"};

  private InstanceCodec() {}

  /** Returns the exact bytes Go's registry writes for {@code instance}. */
  public static byte[] encode(Instance instance) {
    // Written as text, then UTF-8 encoded by the JDK: a supplementary character becomes its 4
    // bytes,
    // as in Go, without JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8 (jackson-core 2.18+).
    // wellFormed() has already replaced lone surrogates, so the encoding is exact.
    StringWriter out = new StringWriter(96);
    try (JsonGenerator json = json().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("network", wellFormed(instance.network()));
      json.writeStringField("address", wellFormed(instance.address()));
      json.writeNumberField("weight", instance.weight());
      json.writeFieldName("tags");
      if (instance.hasNullTags()) {
        json.writeNull();
      } else {
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        instance
            .tags()
            .forEach((key, value) -> tags.add(Map.entry(wellFormed(key), wellFormed(value))));
        // Go sorts map keys by their UTF-8 bytes, which is code point order, not UTF-16 order.
        tags.sort((a, b) -> compareCodePoints(a.getKey(), b.getKey()));
        json.writeStartObject();
        for (Map.Entry<String, String> tag : tags) {
          json.writeStringField(tag.getKey(), tag.getValue());
        }
        json.writeEndObject();
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode instance (in memory, should not happen)", e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads an instance value as Go's resolver would, its weight as written.
   *
   * @throws MalformedInstanceException when Go would reject the bytes; the message says why
   */
  public static Instance decode(byte[] value) {
    String text = decodeUtf8AsGo(value);
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      throw new MalformedInstanceException(
          "value starts with a byte order mark, which JSON does not allow");
    }
    try (JsonParser json = json().createParser(text)) {
      JsonToken first = json.nextToken();
      if (first == null) {
        throw new MalformedInstanceException("value is empty, expected a JSON object");
      }
      String network = "";
      String address = "";
      long weight = 0;
      Map<String, String> tags = null;
      if (first == JsonToken.START_OBJECT) {
        for (JsonToken token = json.nextToken();
            token != JsonToken.END_OBJECT;
            token = json.nextToken()) {
          String field = fieldOf(json.currentName());
          JsonToken valueToken = json.nextToken();
          if (field == null) {
            json.skipChildren();
            continue;
          }
          switch (field) {
            case "network" -> network = stringOr(json, valueToken, field, network);
            case "address" -> address = stringOr(json, valueToken, field, address);
            case "weight" -> weight = weightOr(json, valueToken, weight);
            default -> tags = tagsOr(json, valueToken, tags);
          }
        }
      } else if (first != JsonToken.VALUE_NULL) {
        throw new MalformedInstanceException(
            "value is " + describe(first) + ", expected a JSON object");
      }
      if (json.nextToken() != null) {
        throw new MalformedInstanceException("unexpected data after the JSON value");
      }
      return new Instance(sharedNetwork(network), address, weight, tags);
    } catch (JsonProcessingException e) {
      throw new MalformedInstanceException("value is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read instance value (in memory, should not happen)", e);
    }
  }

  /**
   * Reads an instance value as every reader of this library uses it (the resolver, the gRPC name
   * resolver, the {@code registry-etcd} command): {@link #decode}, and a value that names no
   * address ({@code null}, {@code {}}, {@code "address":""}) is refused as well. Go's resolver
   * would hand such a value out as an instance that fails every call; here it is skipped with one
   * warning like any value that does not decode.
   *
   * @throws MalformedInstanceException when Go would reject the bytes, or they name no address
   */
  public static Instance decodeInstance(byte[] value) {
    Instance instance = decode(value);
    if (instance.address().isEmpty()) {
      throw new MalformedInstanceException(
          "value names no address (\"address\" is missing, null or empty): no client can dial it");
    }
    return instance;
  }

  /**
   * The usual network names as one string each: a resolver holds thousands of instances, and a
   * decoded {@code "tcp"} would otherwise be a string of its own in every one of them.
   */
  private static String sharedNetwork(String network) {
    return switch (network) {
      case "tcp" -> "tcp";
      case "tcp4" -> "tcp4";
      case "tcp6" -> "tcp6";
      case "udp" -> "udp";
      case "unix" -> "unix";
      default -> network;
    };
  }

  private static String stringOr(JsonParser json, JsonToken token, String field, String previous)
      throws IOException {
    return switch (token) {
      case VALUE_STRING -> wellFormed(json.getText());
      case VALUE_NULL -> previous; // Go leaves a non-pointer field alone on null
      default ->
          throw new MalformedInstanceException(
              field + " is " + describe(token) + ", expected a string");
    };
  }

  private static long weightOr(JsonParser json, JsonToken token, long previous) throws IOException {
    return switch (token) {
      case VALUE_NUMBER_INT -> {
        if (json.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw new MalformedInstanceException(
              "weight " + json.getText() + " overflows a 64-bit integer");
        }
        yield json.getLongValue();
      }
      case VALUE_NULL -> previous;
      default ->
          throw new MalformedInstanceException(
              "weight is " + describe(token) + ", expected an integer");
    };
  }

  private static Map<String, String> tagsOr(
      JsonParser json, JsonToken token, Map<String, String> previous) throws IOException {
    if (token == JsonToken.VALUE_NULL) {
      return null; // Go sets a map to nil on null
    }
    if (token != JsonToken.START_OBJECT) {
      throw new MalformedInstanceException(
          "tags is " + describe(token) + ", expected an object of strings");
    }
    // Go decodes into the map it already has, so a repeated "tags" merges.
    Map<String, String> tags =
        previous == null ? new LinkedHashMap<>() : new LinkedHashMap<>(previous);
    while (json.nextToken() != JsonToken.END_OBJECT) {
      String key = wellFormed(json.currentName());
      JsonToken value = json.nextToken();
      switch (value) {
        case VALUE_STRING -> tags.put(key, wellFormed(json.getText()));
        case VALUE_NULL -> tags.put(key, "");
        default ->
            throw new MalformedInstanceException(
                "tag " + key + " is " + describe(value) + ", expected a string");
      }
    }
    return tags;
  }

  /**
   * Go matches JSON keys to fields exactly, else by ASCII case folding plus the Kelvin sign and
   * long s.
   */
  private static String fieldOf(String key) {
    for (String field : FIELDS) {
      if (field.length() == key.length() && foldsTo(key, field)) {
        return field;
      }
    }
    return null;
  }

  private static boolean foldsTo(String key, String lowerAsciiField) {
    for (int i = 0; i < key.length(); i++) {
      char k = key.charAt(i);
      char f = lowerAsciiField.charAt(i);
      boolean same =
          k == f
              || (k >= 'A' && k <= 'Z' && (char) (k + ('a' - 'A')) == f)
              || (f == 'k' && k == '\u212A')
              || (f == 's' && k == '\u017F');
      if (!same) {
        return false;
      }
    }
    return true;
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : token.asString();
    };
  }

  /**
   * UTF-8 to text as Go reads it: each byte that does not start a valid sequence becomes U+FFFD.
   * (The JDK's lenient decoder replaces a whole broken sequence with one U+FFFD instead.)
   */
  static String decodeUtf8AsGo(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException slowPath) {
      StringBuilder text = new StringBuilder(bytes.length);
      int i = 0;
      while (i < bytes.length) {
        int length = validSequenceLength(bytes, i);
        if (length == 0) {
          text.append('\uFFFD');
          i++;
        } else {
          text.append(new String(bytes, i, length, StandardCharsets.UTF_8));
          i += length;
        }
      }
      return text.toString();
    }
  }

  /** Length of the well-formed UTF-8 sequence at {@code i}, or 0 (RFC 3629 table 3-7). */
  private static int validSequenceLength(byte[] b, int i) {
    int b0 = b[i] & 0xFF;
    if (b0 < 0x80) {
      return 1;
    }
    int length;
    int lo = 0x80;
    int hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      if (b0 == 0xE0) {
        lo = 0xA0;
      } else if (b0 == 0xED) {
        hi = 0x9F;
      }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      if (b0 == 0xF0) {
        lo = 0x90;
      } else if (b0 == 0xF4) {
        hi = 0x8F;
      }
    } else {
      return 0;
    }
    if (i + length > b.length) {
      return 0;
    }
    int b1 = b[i + 1] & 0xFF;
    if (b1 < lo || b1 > hi) {
      return 0;
    }
    for (int j = 2; j < length; j++) {
      int bj = b[i + j] & 0xFF;
      if (bj < 0x80 || bj > 0xBF) {
        return 0;
      }
    }
    return length;
  }

  /** Go strings hold no lone surrogates: where Java text has one, Go would have U+FFFD. */
  static String wellFormed(String text) {
    StringBuilder fixed = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean lone =
          Character.isHighSurrogate(c)
              ? i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))
              : Character.isLowSurrogate(c)
                  && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
      if (lone && fixed == null) {
        fixed = new StringBuilder(text.length()).append(text, 0, i);
      }
      if (fixed != null) {
        fixed.append(lone ? '\uFFFD' : c);
      }
    }
    return fixed == null ? text : fixed.toString();
  }

  private static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  /** Go's {@code encodeState.string} with HTML escaping on, as {@code json.Marshal} uses it. */
  private static final class GoEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    GoEscapes() {
      for (int c = 0; c < 0x20; c++) {
        ascii[c] = ESCAPE_CUSTOM;
      }
      ascii['<'] = ESCAPE_CUSTOM;
      ascii['>'] = ESCAPE_CUSTOM;
      ascii['&'] = ESCAPE_CUSTOM;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
      return switch (c) {
        case '\n' -> new SerializedString("\\n");
        case '\r' -> new SerializedString("\\r");
        case '\t' -> new SerializedString("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> unicodeEscape(c);
        default -> c < 0x20 ? unicodeEscape(c) : null;
      };
    }

    private static SerializableString unicodeEscape(int c) {
      return new SerializedString(String.format("\\u%04x", c));
    }
  }
}
