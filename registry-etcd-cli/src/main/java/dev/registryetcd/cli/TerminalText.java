package dev.registryetcd.cli;

/**
 * Text read from etcd made safe for a terminal: every control character (C0, DEL, C1, and so ESC
 * sequences, BEL, CR and LF inside a value), the Unicode line and paragraph separators and the
 * bidirectional controls shown as a visible escape (backslash-n, backslash-x1b, backslash-u202e),
 * and a backslash doubled so that no escape can be faked; long text cut with a visible marker. Data
 * from etcd is untrusted: a value holding {@code "\n+ echo 6.6.6.6:666"} must not print as a line
 * of its own. Stateless.
 */
final class TerminalText {
  /** The most characters of one value a table cell or a change line shows. */
  static final int MAX_CELL = 96;

  private TerminalText() {}

  /** {@code text} with every character a terminal would act on escaped. */
  static String escape(String text) {
    StringBuilder escaped = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = replacement(c);
      if (replacement != null && escaped == null) {
        escaped = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (escaped != null) {
        if (replacement != null) {
          escaped.append(replacement);
        } else {
          escaped.append(c);
        }
      }
    }
    return escaped == null ? text : escaped.toString();
  }

  /**
   * {@code text} escaped and, past {@link #MAX_CELL} characters, cut with a marker saying how much
   * is left out, e.g. {@code abc...(+1048480 chars)}; {@code --json} shows it whole.
   */
  static String cell(String text) {
    return cut(escape(text), MAX_CELL);
  }

  /** {@code text} cut after {@code max} characters with the marker, never inside a character. */
  static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = max;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "...(+" + (text.length() - end) + " chars)";
  }

  /** Whether {@link #escape} replaces {@code c}, the backslash aside. */
  static boolean isUnsafe(char c) {
    return c != '\\' && replacement(c) != null;
  }

  private static String replacement(char c) {
    switch (c) {
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      default:
        break;
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return String.format("\\x%02x", (int) c);
    }
    if (c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e'
        || c == '\u200f'
        || c == '\u061c') {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
