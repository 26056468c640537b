package dev.registryetcd.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UntrustedTextTest {

  @Test
  void plainTextIsKeptAsItIs() {
    assertThat(UntrustedText.of("kitex/registry-etcd/echo/10.0.0.1:8888 サービス 🚀"))
        .isEqualTo("kitex/registry-etcd/echo/10.0.0.1:8888 サービス 🚀");
  }

  @Test
  void lineBreaksEscapeSequencesAndBidiControlsCannotForgeOrHideALine() {
    String forged = "a\nWARN fake line\r\u001b[2K\u202eb\u2028\u200b\u0085\uD800";

    assertThat(UntrustedText.of(forged))
        .isEqualTo("a\\u000aWARN fake line\\u000d\\u001b[2K\\u202eb\\u2028\\u200b\\u0085\\ud800")
        .doesNotContain("\n", "\r", "\u001b", "\u202e", "\u2028");
  }

  @Test
  void aBackslashIsDoubledSoNoEscapeCanBeFaked() {
    assertThat(UntrustedText.of("\\u000a")).isEqualTo("\\\\u000a");
  }

  @Test
  void longTextIsCutWithAMarkerNamingWhatIsLeftOut() {
    String text = "k".repeat(UntrustedText.MAX_CHARS) + "x".repeat(1000);

    assertThat(UntrustedText.of(text))
        .isEqualTo("k".repeat(UntrustedText.MAX_CHARS) + "...(+1000 chars)");
  }

  @Test
  void aCutNeverSplitsACharacterOutsideTheBasicPlane() {
    String text = "k".repeat(UntrustedText.MAX_CHARS - 1) + "🚀" + "tail";

    assertThat(UntrustedText.of(text))
        .isEqualTo("k".repeat(UntrustedText.MAX_CHARS - 1) + "🚀...(+4 chars)");
  }
}
