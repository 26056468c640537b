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
}
