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
import org.junit.jupiter.api.Test;

/** Hedged attempts: a stalled member holds one attempt, a slow answer still counts. */
class EtcdCallsTest {
  private static final Duration TIMEOUT = Duration.ofMillis(1500); // attempts of 500 ms

  @Test
  void aCallNotAnsweredInTimeIsMadeAgainAndTheSecondAnswerCounts() {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    String answer =
        EtcdCalls.awaitRetrying(
            () -> {
              CompletableFuture<String> call = new CompletableFuture<>();
              if (!calls.isEmpty()) {
                call.complete("from the second member");
              }
              calls.add(call);
              return call;
            },
            TIMEOUT,
            "put k");

    assertThat(answer).isEqualTo("from the second member");
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).as("the stalled attempt is called off").isCancelled();
  }

  @Test
  void aSlowAnswerOfAnEarlierAttemptCountsAndItsFailureIsNotHiddenByATimeout() {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    assertThatThrownBy(
            () ->
                EtcdCalls.awaitRetrying(
                    () -> {
                      CompletableFuture<String> call = new CompletableFuture<>();
                      if (calls.isEmpty()) {
                        CompletableFuture.delayedExecutor(700, TimeUnit.MILLISECONDS)
                            .execute(
                                () ->
                                    call.completeExceptionally(
                                        Status.PERMISSION_DENIED
                                            .withDescription("permission denied")
                                            .asRuntimeException()));
                      }
                      calls.add(call);
                      return call;
                    },
                    TIMEOUT,
                    "put k"))
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
                EtcdCalls.awaitRetrying(
                    () -> {
                      CompletableFuture<String> call =
                          CompletableFuture.failedFuture(
                              Status.UNAVAILABLE
                                  .withDescription("connection refused")
                                  .asRuntimeException());
                      calls.add(call);
                      return call;
                    },
                    TIMEOUT,
                    "put k"))
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
