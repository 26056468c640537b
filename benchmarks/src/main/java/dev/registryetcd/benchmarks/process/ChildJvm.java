package dev.registryetcd.benchmarks.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of our own on the same classpath, driven line by line over its stdin and stdout (its main
 * uses {@link ParentLink}); its stderr goes to a log file.
 *
 * <p>{@link #close()} kills it; a shutdown hook kills every child still running when this JVM
 * exits, and a child exits by itself when its stdin closes, so none outlives the benchmark.
 */
public final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000eof";
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "benchmarks-child-reaper"));
  }

  private final String name;
  private final Process process;
  private final Writer stdin;
  private final Path log;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::readStdout, "benchmarks-child-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code main} in a new JVM with this JVM's classpath.
   *
   * @param name names the child in messages and its log file {@code logDir/<name>.log}
   * @param jvmOptions options before the main class, e.g. {@code -XX:+UseSerialGC}
   */
  public static ChildJvm start(
      String name, Class<?> main, List<String> jvmOptions, List<String> args, Path logDir) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(jvmOptions);
    command.add(main.getName());
    command.addAll(args);
    Path log = logDir.resolve(name + ".log");
    try {
      Files.createDirectories(logDir);
      Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
      RUNNING.add(process);
      return new ChildJvm(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the child JVM " + name, e);
    }
  }

  /** Sends one command line. */
  public synchronized void send(String line) {
    try {
      stdin.write(line);
      stdin.write('\n');
      stdin.flush();
    } catch (IOException e) {
      throw new IllegalStateException(
          "child JVM " + name + " no longer reads its input" + logTail(), e);
    }
  }

  /**
   * The next line that starts with {@code prefix}, skipping others, waiting at most {@code
   * timeout}.
   *
   * @throws IllegalStateException when the child exits or stays silent that long; the message
   *     quotes its log
   */
  public String await(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new IllegalStateException(
              "child JVM " + name + " printed no '" + prefix + "' within " + timeout + logTail());
        }
        if (line.equals(EOF)) {
          lines.add(EOF);
          throw new IllegalStateException(
              "child JVM " + name + " exited before printing '" + prefix + "'" + logTail());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for child JVM " + name, e);
    }
  }

  /**
   * The last field of {@link #await}'s line, read as a number (a {@code System.nanoTime()}, a
   * count...).
   */
  public long awaitNumber(String prefix, Duration timeout) {
    String line = await(prefix, timeout);
    return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Kills the child with SIGKILL ({@link Process#destroyForcibly()}) and waits, bounded, for it to
   * be gone.
   */
  public void kill() {
    process.destroyForcibly();
    awaitExit();
  }

  /** Kills the child if it still runs. Idempotent. */
  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException ignored) {
      // it is killed next anyway
    }
    kill();
  }

  private void awaitExit() {
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "child JVM " + name + " (pid " + process.pid() + ") survived SIGKILL for 10 s");
      }
      RUNNING.remove(process);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void readStdout() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        lines.add(line);
      }
    } catch (IOException ignored) {
      // the child is gone: same as end of output
    } finally {
      lines.add(EOF);
    }
  }

  private String logTail() {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "; the last lines of "
          + log
          + ":\n  "
          + String.join("\n  ", all.subList(Math.max(0, all.size() - 15), all.size()));
    } catch (IOException e) {
      return "; see " + log;
    }
  }

  @Override
  public String toString() {
    return "ChildJvm{" + name + ", pid " + process.pid() + "}";
  }
}
