package dev.registryetcd.etcd.internal.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialLoopTest {
  private static final Duration BOUND = Duration.ofSeconds(5);

  private final AtomicInteger afterEachTask = new AtomicInteger();
  private final SerialLoop loop =
      new SerialLoop("serial-loop-test", afterEachTask::incrementAndGet);

  @AfterEach
  void close() {
    loop.close(() -> {}, BOUND);
  }

  @Test
  void aCallOnAnIdleLoopRunsOnTheCallersThread() {
    String caller = Thread.currentThread().getName();

    String ranOn = loop.call(() -> Thread.currentThread().getName(), BOUND, "test");

    assertThat(ranOn).isEqualTo(caller);
    assertThat(afterEachTask).hasValue(1);
  }

  @Test
  void aCallWhileATaskRunsWaitsForItAndRunsOnTheLoopsThread() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    loop.execute(
        () -> {
          started.countDown();
          waitFor(release);
          order.add("task");
        });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<String> call = new CompletableFuture<>();
    Thread caller =
        new Thread(
            () ->
                call.complete(
                    loop.call(
                        () -> {
                          order.add("call");
                          return Thread.currentThread().getName();
                        },
                        BOUND,
                        "test")));
    caller.start();
    // the caller waits for the loop (with a bound) only once it has handed the call over
    await().atMost(BOUND).until(() -> caller.getState() == Thread.State.TIMED_WAITING);
    release.countDown();

    assertThat(call.get(5, TimeUnit.SECONDS)).isEqualTo("serial-loop-test");
    assertThat(order).containsExactly("task", "call");
  }

  @Test
  void aCallWaitsBehindTasksAlreadyDue() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    loop.execute(() -> waitFor(release));
    loop.execute(() -> order.add("queued"));

    CompletableFuture<Void> call =
        CompletableFuture.runAsync(() -> loop.call(() -> order.add("call"), BOUND, "test"));
    release.countDown();
    call.get(5, TimeUnit.SECONDS);

    assertThat(order).containsExactly("queued", "call");
  }

  @Test
  void noTaskRunsWhileACallRunsOnTheCallersThread() throws Exception {
    CountDownLatch inCall = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();

    CompletableFuture<Void> call =
        CompletableFuture.runAsync(
            () ->
                loop.call(
                    () -> {
                      inCall.countDown();
                      waitFor(release);
                      order.add("call");
                      return null;
                    },
                    BOUND,
                    "test"));
    assertThat(inCall.await(5, TimeUnit.SECONDS)).isTrue();
    loop.execute(() -> order.add("task"));
    loop.schedule(() -> order.add("timer"), Duration.ZERO);
    // the loop's thread has the tasks and must wait for the call
    await().during(Duration.ofMillis(200)).atMost(BOUND).until(order::isEmpty);
    release.countDown();
    call.get(5, TimeUnit.SECONDS);

    await().atMost(BOUND).until(() -> order.size() == 3);
    assertThat(order.get(0)).isEqualTo("call");
  }

  @Test
  void aCallFromInsideATaskIsNeverRunInsideIt() {
    List<String> order = new CopyOnWriteArrayList<>();
    loop.execute(
        () -> {
          order.add("task begins");
          assertThatThrownBy(
                  () -> loop.call(() -> order.add("nested call"), Duration.ofMillis(200), "test"))
              .hasMessageContaining("no answer from etcd within");
          order.add("task ends");
        });

    await().atMost(BOUND).until(() -> order.contains("task ends"));
    assertThat(order).containsExactly("task begins", "task ends");
  }

  @Test
  void aCallAfterCloseIsRefused() {
    loop.close(() -> {}, BOUND);

    assertThatThrownBy(() -> loop.call(() -> "late", BOUND, "test"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("serial-loop-test is closed");
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
