package dev.registryetcd.benchmarks.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Writes results as JSON and CSV files. */
public final class ResultsWriter {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .registerModule(
              new SimpleModule().addSerializer(Duration.class, ToStringSerializer.instance));

  private ResultsWriter() {}

  /**
   * Writes {@code value} (maps, lists, records, numbers, strings; durations as ISO-8601) as
   * indented JSON.
   */
  public static void json(Path file, Object value) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writeValue(file.toFile(), value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Reads a JSON file written by {@link #json} back as a tree of maps and lists. */
  public static Object readJson(Path file) {
    try {
      return JSON.readValue(file.toFile(), Object.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** One CSV line per row: the table's columns, then every named value as {@code name=value}. */
  public static void csv(Path file, List<Row> rows) {
    StringBuilder out =
        new StringBuilder("scenario,benchmark,ours,baseline,ratio,target,verdict,values\n");
    for (Row row : rows) {
      StringBuilder values = new StringBuilder();
      row.values()
          .forEach(
              (name, value) ->
                  values
                      .append(values.length() == 0 ? "" : ";")
                      .append(name)
                      .append('=')
                      .append(String.format(Locale.ROOT, "%s", value)));
      out.append(
              String.join(
                  ",",
                  quote(row.scenario()),
                  quote(row.benchmark()),
                  quote(row.ours()),
                  quote(row.baseline()),
                  quote(row.ratio()),
                  quote(row.target()),
                  quote(row.verdict().name()),
                  quote(values.toString())))
          .append('\n');
    }
    text(file, out.toString());
  }

  /** Writes {@code text} as UTF-8. */
  public static void text(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String quote(String cell) {
    return '"' + cell.replace("\"", "\"\"") + '"';
  }
}
