package dev.registryetcd.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A text table with left-aligned columns two spaces apart, printed once all rows are known. Every
 * cell is escaped and cut to {@link TerminalText#MAX_CELL} characters with a visible marker: cells
 * hold data from etcd. Not thread-safe.
 */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... header) {
    this.columns = header.length;
    rows.add(header);
  }

  Table row(String... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells, the table " + columns);
    }
    String[] safe = new String[columns];
    for (int i = 0; i < columns; i++) {
      safe[i] = TerminalText.cell(cells[i]);
    }
    rows.add(safe);
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line);
    }
    out.flush();
  }
}
