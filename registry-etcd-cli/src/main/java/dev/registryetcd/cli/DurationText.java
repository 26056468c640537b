package dev.registryetcd.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as people type them on a command line and as Go prints them: {@code 5s}, {@code 500ms},
 * {@code 1m30s}, {@code 1.5s}; ISO-8601 ({@code PT5S}) is accepted too. Stateless.
 */
public final class DurationText {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
  private static final String EXAMPLES = "e.g. 5s, 500ms, 1m30s";
  private static final Pattern ISO =
      Pattern.compile(
          "(?<![A-Za-z0-9])-?PT(?:-?\\d+H)?(?:-?\\d+M)?(?:-?\\d+(?:\\.\\d+)?S)?(?![A-Za-z0-9])");

  private DurationText() {}

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the text and giving examples of valid ones
   */
  public static Duration parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("a duration must not be empty (" + EXAMPLES + ")");
    }
    if (trimmed.charAt(0) == 'P' || trimmed.charAt(0) == 'p') {
      try {
        return Duration.parse(trimmed.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a duration (" + EXAMPLES + ")", e);
      }
    }
    Matcher part = PART.matcher(trimmed);
    Duration total = Duration.ZERO;
    int at = 0;
    while (at < trimmed.length()) {
      if (!part.find(at) || part.start() != at) {
        throw new IllegalArgumentException(
            "'"
                + text
                + "' is not a duration: give a number and a unit "
                + "(ns, us, ms, s, m, h), "
                + EXAMPLES);
      }
      BigDecimal nanos =
          new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(nanosPer(part.group(2))));
      total = total.plusNanos(nanos.longValue());
      at = part.end();
    }
    return total;
  }

  /**
   * {@code duration} as Go's {@code time.Duration.String} would write it, e.g. {@code 1m30s},
   * {@code 500ms}.
   */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    long nanos;
    try {
      nanos = duration.toNanos();
    } catch (ArithmeticException tooLong) {
      return duration.toHours() + "h";
    }
    if (nanos < 1_000) {
      return nanos + "ns";
    }
    if (nanos < 1_000_000) {
      return decimal(nanos, 1_000) + "us";
    }
    if (nanos < 1_000_000_000) {
      return decimal(nanos, 1_000_000) + "ms";
    }
    StringBuilder text = new StringBuilder();
    long hours = duration.toHours();
    long minutes = duration.toMinutesPart();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (hours > 0 || minutes > 0) {
      text.append(minutes).append('m');
    }
    text.append(decimal(nanos % 60_000_000_000L, 1_000_000_000)).append('s');
    return text.toString();
  }

  /**
   * {@code text} with every ISO-8601 duration in it ({@code PT4.999996174S}, what {@link
   * Duration#toString} writes into the library's messages) written as {@link #format} does, rounded
   * to the millisecond: {@code 5s}.
   */
  public static String humanize(String text) {
    if (text == null || text.indexOf("PT") < 0) {
      return text;
    }
    Matcher iso = ISO.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (iso.find()) {
      String replacement;
      try {
        Duration duration = Duration.parse(iso.group());
        long millis = Math.round(duration.toNanos() / 1_000_000.0);
        replacement =
            format(millis == 0 && !duration.isZero() ? duration : Duration.ofMillis(millis));
      } catch (DateTimeParseException | ArithmeticException notOne) {
        replacement = iso.group();
      }
      iso.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    iso.appendTail(out);
    return out.toString();
  }

  private static String decimal(long nanos, long unit) {
    return BigDecimal.valueOf(nanos)
        .divide(BigDecimal.valueOf(unit))
        .stripTrailingZeros()
        .toPlainString();
  }

  private static long nanosPer(String unit) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> throw new IllegalArgumentException("unknown unit " + unit);
    };
  }

  /**
   * picocli's converter for {@link Duration} options: a bad value is a usage error naming the
   * value.
   */
  public static final class Converter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
