package dev.registryetcd.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One member's log file, {@code <dataRoot>/<name>.log}: etcd's stdout and stderr, appended across
 * restarts, with the kit's markers saying what a test did to the process; and the failures that
 * quote its last lines.
 */
final class MemberLog {

  private static final int LOG_LINES = 20;

  private final EtcdCluster cluster;
  private final String name;
  private volatile long launchOffset;

  MemberLog(EtcdCluster cluster, String name) {
    this.cluster = cluster;
    this.name = name;
  }

  Path file() {
    return cluster.dataRoot().resolve(name + ".log");
  }

  /** Remembers where the log stands, so that {@link #sinceLaunch()} reads what follows. */
  void markLaunch() {
    launchOffset = size();
  }

  /** Log text written since the last launch. */
  String sinceLaunch() {
    return Cleanup.readFrom(file(), launchOffset);
  }

  private long size() {
    try {
      return Files.size(file());
    } catch (IOException e) {
      return 0;
    }
  }

  /** Appends a testkit line to the log, so the log tells what the test did to the process. */
  void marker(String what) {
    try {
      Files.writeString(
          file(),
          "--- etcd-testkit " + Instant.now() + " " + name + ": " + what + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // diagnostics only
    }
  }

  /** An exception naming the member, its log file and the log's last lines. */
  IllegalStateException failure(String what) {
    Path log = file();
    return new IllegalStateException(
        "etcd member "
            + name
            + " "
            + what
            + "; log: "
            + log
            + " (last lines:\n"
            + Cleanup.tail(log, LOG_LINES)
            + "\n)");
  }
}
