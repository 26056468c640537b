package dev.registryetcd.etcd.internal.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SingleTimerTest {
  private final ManualScheduler clock = new ManualScheduler();
  private final SingleTimer timer = new SingleTimer(clock);
  private final List<String> ran = new ArrayList<>();

  @Test
  void schedulingAgainCallsOffThePendingTask() {
    timer.schedule(() -> ran.add("first"), Duration.ofSeconds(1));
    timer.schedule(() -> ran.add("second"), Duration.ofSeconds(2));

    clock.advance(Duration.ofSeconds(5));

    assertThat(ran).containsExactly("second");
    assertThat(clock.pending()).isZero();
  }

  @Test
  void aCancelledTaskNeverRuns() {
    timer.schedule(() -> ran.add("first"), Duration.ofSeconds(1));
    timer.cancel();

    clock.advance(Duration.ofSeconds(5));

    assertThat(ran).isEmpty();
    assertThat(clock.pending()).isZero();
  }

  @Test
  void isPendingUntilTheTaskStartsAndATaskMayScheduleTheNext() {
    assertThat(timer.isPending()).isFalse();
    List<Boolean> pendingWhileRunning = new ArrayList<>();
    timer.schedule(
        () -> {
          pendingWhileRunning.add(timer.isPending());
          timer.schedule(() -> ran.add("again"), Duration.ofSeconds(1));
        },
        Duration.ofSeconds(1));
    assertThat(timer.isPending()).isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(pendingWhileRunning).containsExactly(false);
    assertThat(timer.isPending()).isTrue();

    clock.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("again");
    assertThat(timer.isPending()).isFalse();
  }
}
