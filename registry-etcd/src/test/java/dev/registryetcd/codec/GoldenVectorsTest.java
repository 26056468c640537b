package dev.registryetcd.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.registryetcd.discovery.Instance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.ThrowingConsumer;

/**
 * Runs every vector of {@code instance-info.jsonl}, made by Go's own {@code encoding/json} (a copy
 * of {@code shared/golden/instance-info.jsonl}).
 */
class GoldenVectorsTest {
  private static final int GO_DEFAULT_WEIGHT = 10;

  @Test
  void theGoldenFileHoldsBothKindsOfVector() throws IOException {
    assertThat(GoldenVectors.of("encode")).hasSizeGreaterThanOrEqualTo(14);
    assertThat(GoldenVectors.of("decode")).hasSizeGreaterThanOrEqualTo(35);
  }

  /** One dynamic test per vector of {@code kind}, named by the vector's name. */
  private static Stream<DynamicTest> eachVector(String kind, ThrowingConsumer<JsonNode> check)
      throws IOException {
    return GoldenVectors.of(kind).stream()
        .map(v -> dynamicTest(v.get("name").asText(), () -> check.accept(v)));
  }

  @TestFactory
  Stream<DynamicTest> encodeWritesGoBytes() throws IOException {
    return eachVector(
        "encode",
        v -> {
          JsonNode input = v.get("input");
          Instance instance =
              new Instance(
                  input.get("network").asText(),
                  input.get("address").asText(),
                  input.get("weight").asLong(),
                  GoldenVectors.tags(input.get("tags")));
          String encoded = new String(InstanceCodec.encode(instance), StandardCharsets.UTF_8);
          assertThat(encoded).isEqualTo(v.get("expected").asText());
        });
  }

  @TestFactory
  Stream<DynamicTest> decodeAcceptsExactlyWhatGoAccepts() throws IOException {
    return eachVector(
        "decode",
        v -> {
          byte[] raw = Base64.getDecoder().decode(v.get("rawBase64").asText());
          if (!v.get("ok").asBoolean()) {
            assertThatThrownBy(() -> InstanceCodec.decode(raw))
                .isInstanceOf(MalformedInstanceException.class);
            return;
          }
          Instance decoded = InstanceCodec.decode(raw);
          JsonNode expected = v.get("decoded");
          Map<String, String> tags = GoldenVectors.tags(expected.get("tags"));
          assertThat(decoded.network()).isEqualTo(expected.get("network").asText());
          assertThat(decoded.address()).isEqualTo(expected.get("address").asText());
          // Go's int is 64 bits: every weight Go reads is kept whole, none clamped
          assertThat(decoded.weight()).isEqualTo(expected.get("weight").asLong());
          assertThat(decoded.tags()).isEqualTo(tags == null ? Map.of() : tags);
          assertThat(decoded.hasNullTags()).isEqualTo(tags == null);
          assertThat(decoded.withDefaultWeight(GO_DEFAULT_WEIGHT).weight())
              .isEqualTo(v.get("effectiveWeight").asLong());
        });
  }
}
