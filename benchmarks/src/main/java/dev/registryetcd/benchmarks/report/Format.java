package dev.registryetcd.benchmarks.report;

import java.util.Locale;

/** How the tables write numbers: fixed precision, thousands separators, the unit beside. */
public final class Format {
  private Format() {}

  /** Nanoseconds as milliseconds: {@code 0.91}, {@code 12.3}, {@code 2,430}. */
  public static String millis(long nanos) {
    double ms = nanos / 1e6;
    if (ms < 10) {
      return String.format(Locale.ROOT, "%.2f", ms);
    }
    if (ms < 100) {
      return String.format(Locale.ROOT, "%.1f", ms);
    }
    return String.format(Locale.ROOT, "%,.0f", ms);
  }

  /** Nanoseconds with three significant figures or more: {@code 18.4 ns}, {@code 412,000 ns}. */
  public static String nanos(double nanos) {
    return (nanos < 100
            ? String.format(Locale.ROOT, "%.1f", nanos)
            : String.format(Locale.ROOT, "%,.0f", nanos))
        + " ns";
  }

  /** A ratio: {@code 1.23x}, {@code 45.6x}, {@code 17,200x}. */
  public static String ratio(double ratio) {
    if (Double.isNaN(ratio) || Double.isInfinite(ratio)) {
      return "-";
    }
    if (ratio < 10) {
      return String.format(Locale.ROOT, "%.2fx", ratio);
    }
    if (ratio < 100) {
      return String.format(Locale.ROOT, "%.1fx", ratio);
    }
    return String.format(Locale.ROOT, "%,.0fx", ratio);
  }

  /** A count with thousands separators. */
  public static String count(long count) {
    return String.format(Locale.ROOT, "%,d", count);
  }

  /** A decimal with {@code digits} fraction digits. */
  public static String decimal(double value, int digits) {
    return String.format(Locale.ROOT, "%,." + digits + "f", value);
  }

  /** Seconds from nanoseconds: {@code 12.34 s}. */
  public static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }
}
