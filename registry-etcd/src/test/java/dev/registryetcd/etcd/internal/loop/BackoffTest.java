package dev.registryetcd.etcd.internal.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void aDelayIsSpreadOverTwentyPercentEitherSide() {
    assertThat(Backoff.DEFAULT.withRandom(() -> 0.0).spread(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(Backoff.DEFAULT.withRandom(() -> 0.5).spread(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(Backoff.DEFAULT.withRandom(() -> 0.999).spread(Duration.ofSeconds(10)))
        .isLessThan(Duration.ofSeconds(12))
        .isGreaterThan(Duration.ofMillis(11_990));
  }

  @Test
  void theDelayDoublesFromTheFirstWaitToTheMost() {
    Backoff unspread = Backoff.DEFAULT.withRandom(() -> 0.5);
    for (int failures = 1; failures <= 12; failures++) {
      long base = Math.min(5000, 100L << (failures - 1));
      assertThat(unspread.delay(failures)).isEqualTo(Duration.ofMillis(base));
    }
  }

  @Test
  void theDelayIsSpreadAsAFixedOneIs() {
    assertThat(Backoff.DEFAULT.withRandom(() -> 0.0).delay(3)).isEqualTo(Duration.ofMillis(320));
    assertThat(Backoff.DEFAULT.withRandom(() -> 0.999).delay(20))
        .isLessThan(Duration.ofSeconds(6))
        .isGreaterThan(Duration.ofMillis(5_990));
  }

  @Test
  void withFirstAtOnceTheFirstFailureWaitsNothingAndTheNextAsTheDefault() {
    Backoff firstAtOnce = Backoff.FIRST_AT_ONCE.withRandom(() -> 0.5);
    assertThat(firstAtOnce.delay(1)).isZero();
    assertThat(firstAtOnce.delay(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(firstAtOnce.delay(3)).isEqualTo(Duration.ofMillis(400));
  }
}
