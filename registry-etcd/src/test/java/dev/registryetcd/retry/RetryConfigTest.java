package dev.registryetcd.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryConfigTest {
  @Test
  void defaultsAreTheGoExtensions() {
    RetryConfig config = RetryConfig.newRetryConfig();

    assertThat(config.maxAttemptTimes()).isEqualTo(5);
    assertThat(config.observeDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.retryDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void optionsChangeOnlyTheirField() {
    RetryConfig config =
        RetryConfig.newRetryConfig(
            RetryConfig.withMaxAttemptTimes(10),
            RetryConfig.withObserveDelay(Duration.ofSeconds(20)),
            RetryConfig.withRetryDelay(Duration.ofSeconds(5)));

    assertThat(config)
        .isEqualTo(new RetryConfig(10, Duration.ofSeconds(20), Duration.ofSeconds(5)));
  }

  @Test
  void zeroAttemptsMeansUnlimited() {
    RetryConfig unlimited = RetryConfig.newRetryConfig(RetryConfig.withMaxAttemptTimes(0));
    RetryConfig five = RetryConfig.newRetryConfig();

    assertThat(unlimited.exhaustedBy(1_000_000)).isFalse();
    assertThat(five.exhaustedBy(4)).isFalse();
    assertThat(five.exhaustedBy(5)).isTrue();
  }

  @Test
  void invalidValuesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> RetryConfig.withMaxAttemptTimes(-1))
        .hasMessageContaining("maxAttemptTimes");
    assertThatThrownBy(() -> RetryConfig.withObserveDelay(Duration.ZERO))
        .hasMessageContaining("observeDelay");
    assertThatThrownBy(() -> RetryConfig.withRetryDelay(null)).hasMessageContaining("retryDelay");
  }
}
