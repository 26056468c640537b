package dev.registryetcd.etcd.internal.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void aDelayIsSpreadOverTwentyPercentEitherSide() {
    assertThat(new Backoff(() -> 0.0).spread(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(8));
    assertThat(new Backoff(() -> 0.5).spread(Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(new Backoff(() -> 0.999).spread(Duration.ofSeconds(10)))
        .isLessThan(Duration.ofSeconds(12))
        .isGreaterThan(Duration.ofMillis(11_990));
  }

  @Test
  void exponentialDelaysDoubleFromTheFloorUpToTheCap() {
    Backoff exact = new Backoff(() -> 0.5);
    Duration floor = Duration.ofMillis(100);
    Duration cap = Duration.ofSeconds(3);

    assertThat(exact.exponential(0, floor, cap)).isEqualTo(Duration.ofMillis(100));
    assertThat(exact.exponential(1, floor, cap)).isEqualTo(Duration.ofMillis(200));
    assertThat(exact.exponential(4, floor, cap)).isEqualTo(Duration.ofMillis(1600));
    assertThat(exact.exponential(5, floor, cap)).isEqualTo(cap);
    assertThat(exact.exponential(1_000, floor, Duration.ofHours(1)))
        .as("growth stops after 64 times the floor")
        .isEqualTo(Duration.ofMillis(6400));
  }
}
