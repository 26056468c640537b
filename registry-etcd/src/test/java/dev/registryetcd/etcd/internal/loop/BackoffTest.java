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
}
