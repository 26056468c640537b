package dev.registryetcd.etcd.internal;

/**
 * Text read from etcd (a key, or a message quoting a value) made safe to log or hand to an {@link
 * dev.registryetcd.events.EtcdEvents} observer: anyone who can write under the prefix chooses it,
 * so a key holding a line break, an ESC sequence or a bidirectional override must not forge or hide
 * a log line. Control, format (bidirectional, zero-width), line and paragraph separator characters
 * and lone surrogates become {@code \}{@code uXXXX}, a backslash is doubled so that no escape can
 * be faked, and text past {@link #MAX_CHARS} characters is cut with a marker saying how much is
 * left out. Stateless.
 */
public final class UntrustedText {
  /** The most characters of the original text that {@link #of} keeps. */
  public static final int MAX_CHARS = 256;

  private UntrustedText() {}

  /** {@code text} escaped, and cut after {@link #MAX_CHARS} characters. */
  public static String of(String text) {
    StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 8);
    int i = 0;
    while (i < text.length() && i < MAX_CHARS) {
      int codePoint = text.codePointAt(i);
      int length = Character.charCount(codePoint);
      if (codePoint == '\\') {
        safe.append("\\\\");
      } else if (isHidden(codePoint)) {
        for (int unit = i; unit < i + length; unit++) {
          safe.append(String.format("\\u%04x", (int) text.charAt(unit)));
        }
      } else {
        safe.appendCodePoint(codePoint);
      }
      i += length;
    }
    if (i < text.length()) {
      safe.append("...(+").append(text.length() - i).append(" chars)");
    }
    return safe.toString();
  }

  /** Whether a terminal or log viewer would act on {@code codePoint} rather than show it. */
  private static boolean isHidden(int codePoint) {
    return switch (Character.getType(codePoint)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SURROGATE ->
          true;
      default -> false;
    };
  }
}
