package dev.registryetcd.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.registry.RegistryException;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Hedged attempts: a stalled member holds one attempt, a slow answer still counts. */
class EtcdCallsTest {
  private static final Duration TIMEOUT = Duration.ofMillis(1500); // attempts of 500 ms

  /**
   * {@link EtcdCalls#awaitRetrying} of {@code "put k"} within {@link #TIMEOUT}: each attempt is
   * made by {@code attempt}, told how many came before it, and kept in {@code calls}.
   */
  private static String putRetrying(
      List<CompletableFuture<String>> calls, IntFunction<CompletableFuture<String>> attempt) {
    return EtcdCalls.awaitRetrying(
        () -> {
          CompletableFuture<String> call = attempt.apply(calls.size());
          calls.add(call);
          return call;
        },
        TIMEOUT,
        "put k");
  }

  @Test
  void aCallNotAnsweredInTimeIsMadeAgainAndTheSecondAnswerCounts() {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    String answer =
        putRetrying(
            calls,
            before ->
                before == 0
                    ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture("from the second member"));

    assertThat(answer).isEqualTo("from the second member");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).as("the stalled attempt is called off").isCancelled();
  }

  @Test
  void aSlowAnswerOfAnEarlierAttemptCountsAndItsFailureIsNotHiddenByATimeout() {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    assertThatThrownBy(
            () ->
                putRetrying(
                    calls,
                    before -> {
                      CompletableFuture<String> call = new CompletableFuture<>();
                      if (before == 0) {
                        CompletableFuture.delayedExecutor(700, TimeUnit.MILLISECONDS)
                            .execute(
                                () ->
                                    call.completeExceptionally(
                                        Status.PERMISSION_DENIED
                                            .withDescription("permission denied")
                                            .asRuntimeException()));
                      }
                      return call;
                    }))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.PERMISSION));
  }

  @Test
  void refusedCallsAreMadeAgainUntilTheTimeoutThenTheRefusalIsReported() {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                putRetrying(
                    calls,
                    before ->
                        CompletableFuture.failedFuture(
                            Status.UNAVAILABLE
                                .withDescription("connection refused")
                                .asRuntimeException())))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNREACHABLE);
              assertThat(e.getMessage()).contains("connection refused");
            });
    assertThat(calls.size()).isGreaterThan(3);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isBetween(TIMEOUT.minusMillis(100), TIMEOUT.plusMillis(500));
  }

  @Test
  void aCallNeverAnsweredFailsAfterTheTimeoutSayingSo() {
    assertThatThrownBy(
            () -> EtcdCalls.awaitRetrying(CompletableFuture::new, TIMEOUT, "grant a lease"))
        .isInstanceOfSatisfying(
            RegistryException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(RegistryException.Reason.UNREACHABLE);
              assertThat(e.getMessage()).contains("grant a lease: etcd did not answer within");
            });
  }
}
