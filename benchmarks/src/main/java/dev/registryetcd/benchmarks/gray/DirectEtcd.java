package dev.registryetcd.benchmarks.gray;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The scenario's own calls to etcd through plain jetcd clients, apart from the sides measured. */
final class DirectEtcd {

  private DirectEtcd() {}

  interface Call {
    Object call() throws Exception;
  }

  /** Calls until it succeeds, for at most {@code bound}; rethrows the last failure. */
  static void retry(Call call, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      try {
        call.call();
        return;
      } catch (Exception e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
