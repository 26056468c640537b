package dev.registryetcd.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

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

  @TestFactory
  Stream<DynamicTest> encodeWritesGoBytes() throws IOException {
    return GoldenVectors.of("encode").stream()
        .map(
            v ->
                dynamicTest(
                    v.get("name").asText(),
                    () -> {
                      JsonNode input = v.get("input");
                      InstanceInfo info =
                          new InstanceInfo(
                              input.get("network").asText(),
                              input.get("address").asText(),
                              input.get("weight").asInt(),
                              GoldenVectors.tags(input.get("tags")));
                      String encoded =
                          new String(InstanceCodec.encode(info), StandardCharsets.UTF_8);
                      assertThat(encoded).isEqualTo(v.get("expected").asText());
                    }));
  }

  @TestFactory
  Stream<DynamicTest> decodeAcceptsExactlyWhatGoAccepts() throws IOException {
    return GoldenVectors.of("decode").stream()
        .map(
            v ->
                dynamicTest(
                    v.get("name").asText(),
                    () -> {
                      byte[] raw = Base64.getDecoder().decode(v.get("rawBase64").asText());
                      if (!v.get("ok").asBoolean()) {
                        assertThatThrownBy(() -> InstanceCodec.decode(raw))
                            .isInstanceOf(MalformedInstanceException.class);
                        return;
                      }
                      InstanceInfo decoded = InstanceCodec.decode(raw);
                      JsonNode expected = v.get("decoded");
                      assertThat(decoded.network()).isEqualTo(expected.get("network").asText());
                      assertThat(decoded.address()).isEqualTo(expected.get("address").asText());
                      assertThat(decoded.weight())
                          .isEqualTo(clampToInt(expected.get("weight").asLong()));
                      assertThat(decoded.tags())
                          .isEqualTo(GoldenVectors.tags(expected.get("tags")));
                      assertThat(decoded.effectiveWeight(GO_DEFAULT_WEIGHT))
                          .isEqualTo(clampToInt(v.get("effectiveWeight").asLong()));
                    }));
  }

  private static int clampToInt(long goInt) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, goInt));
  }
}
