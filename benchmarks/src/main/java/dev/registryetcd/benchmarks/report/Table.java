package dev.registryetcd.benchmarks.report;

import java.util.ArrayList;
import java.util.List;

/** The results table, as aligned text for the terminal and as Markdown for the docs. */
public final class Table {
  private static final String[] HEADER = {
    "benchmark", "ours", "baseline (same run)", "ratio", "target", "met"
  };

  private Table() {}

  /** Columns padded to their widest cell; one line per row, scenario before the benchmark. */
  public static String text(List<Row> rows) {
    List<String[]> cells = cells(rows);
    int[] widths = new int[HEADER.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int n = 0; n < cells.size(); n++) {
      String[] line = cells.get(n);
      for (int i = 0; i < line.length; i++) {
        out.append(i == 0 ? "" : " | ").append(pad(line[i], i == line.length - 1 ? 0 : widths[i]));
      }
      out.append('\n');
      if (n == 0) {
        for (int i = 0; i < widths.length; i++) {
          out.append(i == 0 ? "" : "-+-").append("-".repeat(widths[i]));
        }
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** A GitHub-flavoured Markdown table. */
  public static String markdown(List<Row> rows) {
    List<String[]> cells = cells(rows);
    StringBuilder out = new StringBuilder();
    for (int n = 0; n < cells.size(); n++) {
      out.append('|');
      for (String cell : cells.get(n)) {
        out.append(' ').append(cell.replace("|", "\\|")).append(" |");
      }
      out.append('\n');
      if (n == 0) {
        out.append("|---".repeat(HEADER.length)).append("|\n");
      }
    }
    return out.toString();
  }

  private static List<String[]> cells(List<Row> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(HEADER);
    for (Row row : rows) {
      cells.add(
          new String[] {
            row.scenario() + ": " + row.benchmark(),
            row.ours(),
            row.baseline(),
            row.ratio(),
            row.target(),
            row.verdict().label()
          });
    }
    return cells;
  }

  private static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }
}
