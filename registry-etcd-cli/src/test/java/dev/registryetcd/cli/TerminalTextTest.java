package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

  @Test
  void everyControlCharacterIsEscapedVisibly() {
    assertThat(TerminalText.escape("a\nb\rc\td\u001b[2Je\u0007f\u007fg\u009bh\u0000"))
        .isEqualTo("a\\nb\\rc\\td\\x1b[2Je\\x07f\\x7fg\\x9bh\\x00");
  }

  @Test
  void lineSeparatorsAndBidiOverridesAreEscaped() {
    assertThat(TerminalText.escape("a\u2028b\u202ec\u2066")).isEqualTo("a\\u2028b\\u202ec\\u2066");
  }

  @Test
  void aBackslashIsDoubledSoThatAnEscapeCannotBeFaked() {
    assertThat(TerminalText.escape("a\\nb\n")).isEqualTo("a\\\\nb\\n");
  }

  @Test
  void plainTextIsLeftAloneIncludingNonAsciiLetters() {
    String plain = "10.0.0.7:8888 zone=a é 日本";
    assertThat(TerminalText.escape(plain)).isSameAs(plain);
  }

  @Test
  void aLongCellIsCutWithAMarkerSayingHowMuchIsLeftOut() {
    String cell = TerminalText.cell("y".repeat(1000));

    assertThat(cell).isEqualTo("y".repeat(96) + "...(+904 chars)");
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String text = "y".repeat(95) + "\uD83D\uDE00" + "z";

    assertThat(TerminalText.cut(text, 96)).isEqualTo("y".repeat(95) + "...(+3 chars)");
  }
}
