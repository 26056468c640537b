package dev.registryetcd.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Puts a run's results into the benchmarks document: replaces the text between {@value #START} and
 * {@value #END}, and copies the chart beside the document.
 */
public final class DocsUpdater {
  public static final String START = "<!-- bench:results:start -->";
  public static final String END = "<!-- bench:results:end -->";

  private DocsUpdater() {}

  /**
   * Replaces the generated section of {@code doc} with {@code section}, and copies {@code chart}
   * (if it exists) to {@code chartTarget}.
   *
   * @throws IllegalStateException when the document lacks the markers
   */
  public static void update(Path doc, String section, Path chart, Path chartTarget) {
    try {
      String text = Files.readString(doc, StandardCharsets.UTF_8);
      int start = text.indexOf(START);
      int end = text.indexOf(END);
      if (start < 0 || end < start) {
        throw new IllegalStateException(
            doc + " has no " + START + " ... " + END + " section to replace");
      }
      String updated =
          text.substring(0, start + START.length())
              + "\n"
              + section.strip()
              + "\n"
              + text.substring(end);
      Files.writeString(doc, updated, StandardCharsets.UTF_8);
      if (Files.exists(chart)) {
        Files.createDirectories(chartTarget.toAbsolutePath().getParent());
        Files.copy(chart, chartTarget, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + doc, e);
    }
  }
}
