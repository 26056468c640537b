package dev.registryetcd.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vectors of {@code instance-info.jsonl}, made by Go's own encoder (a copy of shared/golden).
 */
public final class GoldenVectors {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private GoldenVectors() {}

  /** Every vector of one kind, {@code encode} or {@code decode}, in file order. */
  public static List<JsonNode> of(String kind) throws IOException {
    List<JsonNode> vectors = new ArrayList<>();
    try (InputStream in = GoldenVectors.class.getResourceAsStream("/instance-info.jsonl");
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!line.isBlank()) {
          JsonNode vector = MAPPER.readTree(line);
          if (vector.get("kind").asText().equals(kind)) {
            vectors.add(vector);
          }
        }
      }
    }
    return vectors;
  }

  /** A vector's tags as a map, {@code null} for JSON null. */
  public static Map<String, String> tags(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    Map<String, String> tags = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
    return tags;
  }
}
