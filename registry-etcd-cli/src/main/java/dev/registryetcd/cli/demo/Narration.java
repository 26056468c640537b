package dev.registryetcd.cli.demo;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The demo's voice on stdout: headings, lines and indented items, flushed at once. Not thread-safe.
 */
final class Narration {
  private final PrintWriter out;

  Narration(PrintWriter out) {
    this.out = out;
  }

  void title(String text) {
    out.println(text);
    out.flush();
  }

  void heading(String text) {
    out.println();
    out.println("== " + text + " ==");
    out.flush();
  }

  void line(String format, Object... args) {
    out.println(String.format(Locale.ROOT, format, args));
    out.flush();
  }

  void item(String format, Object... args) {
    line("    " + format, args);
  }

  /** The writer, for text printed by others (the {@code list} table). */
  PrintWriter writer() {
    return out;
  }

  /** A measured time for people: {@code 0.4 us}, {@code 3.2 ms}, {@code 1.93 s}. */
  static String time(long nanos) {
    long abs = Math.abs(nanos);
    if (abs < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
    }
    if (abs < 1_000_000_000) {
      return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
