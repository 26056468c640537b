package dev.registryetcd.etcd.internal.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopShareTest {
  private static final Duration BOUND = Duration.ofSeconds(5);

  private final SerialLoop loop = new SerialLoop("loop-share-test", () -> {});
  private final LoopShare share = loop.share("a component");
  private final List<String> ran = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    loop.close(() -> {}, BOUND);
  }

  @Test
  void aShareRunsItsTasksOnTheLoopsThread() {
    share.execute(() -> ran.add(Thread.currentThread().getName()));

    await().atMost(BOUND).until(() -> ran.size() == 1);
    assertThat(ran).containsExactly("loop-share-test");
  }

  @Test
  void afterCloseNoneOfTheSharesTasksRunsButTheLoopGoesOn() {
    share.every(Duration.ofMillis(10), () -> ran.add("periodic"));
    share.schedule(() -> ran.add("timer"), Duration.ofMillis(300));
    await().atMost(BOUND).until(() -> ran.contains("periodic"));

    assertThat(share.close(() -> ran.add("last"), BOUND)).isTrue();
    int afterClose = ran.size();
    share.execute(() -> ran.add("after close"));
    loop.schedule(() -> ran.add("the owner's"), Duration.ofMillis(400));

    await().atMost(BOUND).until(() -> ran.contains("the owner's"));
    assertThat(ran).hasSize(afterClose + 1).contains("last");
    assertThat(ran.subList(afterClose, ran.size())).containsExactly("the owner's");
  }
}
