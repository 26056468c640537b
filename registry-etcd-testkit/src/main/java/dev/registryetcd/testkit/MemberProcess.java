package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The etcd process of one member and the signals sent to it: launch, SIGTERM then SIGKILL, SIGSTOP
 * and SIGCONT. Its member calls it under the member's lock; the state is volatile so that any
 * thread may ask whether it runs.
 */
final class MemberProcess {

  private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(5);

  private final String name;
  private final MemberLog log;
  private volatile Process process;
  private volatile boolean frozen;

  MemberProcess(String name, MemberLog log) {
    this.name = name;
    this.log = log;
  }

  /**
   * Starts {@code command} in {@code directory}, its output appended to the log, without the
   * caller's {@code ETCD_*} and {@code ETCDCTL_*} variables.
   */
  void launch(List<String> command, Path directory, Path binary) {
    log.marker("starting: " + String.join(" ", command));
    log.markLaunch();
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.file().toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("ETCD_") || k.startsWith("ETCDCTL_"));
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start etcd member " + name + " with " + binary + ": " + e.getMessage(), e);
    }
    Cleanup.register(p);
    process = p;
    frozen = false;
    try {
      p.getOutputStream().close();
    } catch (IOException ignored) {
      // etcd does not read stdin
    }
  }

  /** True while the etcd process is alive (also when frozen). */
  boolean isRunning() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** True while the process is alive and stopped by {@link #freeze()}. */
  boolean isFrozen() {
    return frozen && isRunning();
  }

  /** The pid of the current process, or of the last one if it has exited. */
  long pid() {
    Process p = process;
    if (p == null) {
      throw new IllegalStateException("etcd member " + name + " has never been started");
    }
    return p.pid();
  }

  /** SIGTERM, then SIGKILL after {@code timeout}; thaws a frozen process first. */
  void stop(Duration timeout) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      frozen = false;
      return;
    }
    if (frozen) {
      signal("CONT", p);
      frozen = false;
    }
    log.marker("stopping (SIGTERM)");
    p.destroy();
    if (!waitFor(p, timeout)) {
      log.marker(
          "still running " + Durations.format(timeout) + " after SIGTERM; killing (SIGKILL)");
      killAndWait(p);
    }
  }

  /** SIGKILL (also works on a frozen process) and wait for exit. */
  void kill() {
    Process p = process;
    frozen = false;
    if (p == null || !p.isAlive()) {
      return;
    }
    log.marker("killing (SIGKILL)");
    killAndWait(p);
  }

  /** SIGKILL, then waits for the exit; a process still there after 10 s is a failure. */
  private void killAndWait(Process p) {
    p.destroyForcibly();
    if (!waitFor(p, KILL_TIMEOUT)) {
      throw log.failure(
          "did not exit within "
              + Durations.format(KILL_TIMEOUT)
              + " after SIGKILL (pid "
              + p.pid()
              + ")");
    }
  }

  /** SIGSTOP, returning once Linux reports the process stopped. */
  void freeze() {
    Process p = requireRunning("freeze()");
    if (frozen) {
      return;
    }
    signal("STOP", p);
    frozen = true;
    awaitProcState(p, true);
    log.marker("frozen (SIGSTOP)");
  }

  /** SIGCONT to a frozen process; nothing otherwise. */
  void thaw() {
    Process p = process;
    if (!frozen || p == null || !p.isAlive()) {
      frozen = false;
      return;
    }
    signal("CONT", p);
    frozen = false;
    awaitProcState(p, false);
    log.marker("thawed (SIGCONT)");
  }

  private Process requireRunning(String operation) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException(
          "etcd member " + name + " is not running; cannot " + operation);
    }
    return p;
  }

  /** Throws a {@link MemberLog#failure} if the process is not alive. */
  void requireAlive(String when) {
    Process p = process;
    if (p == null) {
      throw log.failure("was never started");
    }
    if (!p.isAlive()) {
      throw log.failure("is not running (exit code " + p.exitValue() + ") " + when);
    }
  }

  private static boolean waitFor(Process p, Duration timeout) {
    try {
      return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd to exit", e);
    }
  }

  /** Sends a signal with {@code kill -SIG pid}. */
  private void signal(String signal, Process p) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
              .redirectErrorStream(true)
              .start();
      kill.getOutputStream().close();
      String output =
          new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!kill.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + p.pid() + " did not finish");
      }
      if (kill.exitValue() != 0 && p.isAlive()) {
        throw new IllegalStateException(
            "kill -"
                + signal
                + " "
                + p.pid()
                + " for etcd member "
                + name
                + " failed (exit "
                + kill.exitValue()
                + "): "
                + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not run 'kill -" + signal + "' for etcd member " + name + ": " + e.getMessage(),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling etcd member " + name, e);
    }
  }

  /**
   * Waits briefly until Linux reports the process as stopped (state T) or not, so that freeze() and
   * thaw() have taken effect when they return. Without /proc this returns at once.
   */
  private static void awaitProcState(Process p, boolean stopped) {
    Path stat = Path.of("/proc", Long.toString(p.pid()), "stat");
    long deadline = Durations.deadline(SIGNAL_TIMEOUT);
    while (p.isAlive() && !Durations.passed(deadline)) {
      String text;
      try {
        text = Files.readString(stat, StandardCharsets.UTF_8);
      } catch (IOException | UncheckedIOException e) {
        return;
      }
      int close = text.lastIndexOf(')');
      if (close < 0 || close + 2 >= text.length()) {
        return;
      }
      char state = text.charAt(close + 2);
      if ((state == 'T') == stopped) {
        return;
      }
      Durations.pause();
    }
  }
}
