package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

  @Test
  void parsesWhatPeopleTypeAndGoPrints() {
    assertThat(DurationText.parse("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(DurationText.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationText.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationText.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(DurationText.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(DurationText.parse("PT3S")).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void refusesTextWithoutAUnitNamingIt() {
    assertThatThrownBy(() -> DurationText.parse("5")).hasMessageContaining("'5' is not a duration");
    assertThatThrownBy(() -> DurationText.parse("5 s"))
        .hasMessageContaining("'5 s' is not a duration");
    assertThatThrownBy(() -> DurationText.parse("")).hasMessageContaining("must not be empty");
  }

  @Test
  void formatsAsGoDoes() {
    assertThat(DurationText.format(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(DurationText.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(DurationText.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(DurationText.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(DurationText.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
    assertThat(DurationText.format(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void humanizeRewritesIsoDurationsInAMessageRoundedToTheMillisecond() {
    assertThat(
            DurationText.humanize(
                "etcd did not answer within PT4.999996174S: they expire with lease 1a within PT10S"
                    + " or PT1M30S, retrying in PT0.25S"))
        .isEqualTo(
            "etcd did not answer within 5s: they expire with lease 1a within 10s or 1m30s,"
                + " retrying in 250ms");
  }

  @Test
  void humanizeLeavesTextWithoutDurationsAlone() {
    assertThat(DurationText.humanize("PTX and HTTPS and APT5")).isEqualTo("PTX and HTTPS and APT5");
  }
}
