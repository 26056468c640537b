package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.RegistryEtcdCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A demo server in a JVM of its own ({@code registry-etcd demo-server}), so that killing it is a
 * real SIGKILL that leaves its key in etcd until its lease expires. The child runs this JVM's
 * {@code java} with this JVM's class path and {@link RegistryEtcdCommand} as main class, so it
 * works from the shaded jar and in tests alike.
 *
 * <p>No child outlives the demo: {@link #close()} (and, until then, a shutdown hook) kills it, and
 * should this JVM die without hooks, the child sees its standard input end and deregisters and
 * exits on its own. A daemon thread reads the child's output. {@code start} and {@code close} are
 * for one thread.
 */
final class ChildServer implements AutoCloseable {
  private static final int KEPT_LINES = 20;

  private final String name;
  private final Process process;
  private final long startedNanos;
  private final Thread killAtExit;
  private final CompletableFuture<String> ready = new CompletableFuture<>();
  private final Deque<String> output =
      new ArrayDeque<>(); // guarded by itself: the last lines, for errors
  private volatile long readyNanos;

  private ChildServer(String name, Process process, long startedNanos) {
    this.name = name;
    this.process = process;
    this.startedNanos = startedNanos;
    this.killAtExit = new Thread(process::destroyForcibly, "registry-etcd-demo-kill-" + name);
    Runtime.getRuntime().addShutdownHook(killAtExit);
    Thread reader = new Thread(this::readOutput, "registry-etcd-demo-output-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code registry-etcd demo-server name weight --lease-ttl leaseTtl} with {@code
   * globalOptions} (see {@link RegistryEtcdCommand#childOptions}) and {@code password} ({@code
   * null} for none) as its {@code ETCD_PASSWORD}. Returns at once; see {@link #awaitReady}.
   *
   * @throws UncheckedIOException when the JVM cannot be started
   */
  static ChildServer start(
      String name, int weight, Duration leaseTtl, List<String> globalOptions, String password) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // A small server that starts fast: the demo waits for it, and shares the machine with it.
    command.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx128m"));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), RegistryEtcdCommand.class.getName()));
    command.addAll(
        List.of(
            "demo-server",
            name,
            Integer.toString(weight),
            "--lease-ttl",
            DurationText.format(leaseTtl)));
    command.addAll(globalOptions);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Where etcd is comes from the options only; the password from here only.
    builder.environment().keySet().removeIf(variable -> variable.startsWith("ETCD_"));
    if (password != null) {
      builder.environment().put("ETCD_PASSWORD", password);
    }
    long started = System.nanoTime();
    try {
      return new ChildServer(name, builder.start(), started);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start a JVM for demo server " + name + ": " + command.get(0), e);
    }
  }

  /**
   * Waits at most {@code bound} for the child's ready line and returns what follows {@value
   * DemoServerCommand#READY}: {@code host:port lease=<hex>}.
   *
   * @throws IllegalStateException when the child exits or stays silent meanwhile, with its last
   *     output
   */
  String awaitReady(Duration bound) throws InterruptedException {
    try {
      return ready.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "demo: server "
              + name
              + " (pid "
              + pid()
              + ") was not ready within "
              + DurationText.format(bound)
              + lastOutput());
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "demo: server "
              + name
              + " ended before it was ready"
              + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")")
              + lastOutput(),
          e.getCause());
    }
  }

  /** How long after {@link #start} the ready line came; valid once {@link #awaitReady} returned. */
  long readyAfterNanos() {
    return readyNanos - startedNanos;
  }

  long pid() {
    return process.pid();
  }

  /**
   * SIGKILL, and waits at most {@code bound} for the process to be gone.
   *
   * @return whether it is gone
   */
  boolean kill(Duration bound) throws InterruptedException {
    process.destroyForcibly();
    return process.waitFor(bound.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Kills the child if it still runs, waiting a few seconds at most. Idempotent, never throws. */
  @Override
  public void close() {
    try {
      if (!kill(Duration.ofSeconds(5))) {
        System.err.println(
            "registry-etcd demo: server "
                + name
                + " (pid "
                + pid()
                + ") did not exit after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        process.getOutputStream().close();
      } catch (IOException alreadyClosed) {
        // nothing to release
      }
      try {
        Runtime.getRuntime().removeShutdownHook(killAtExit);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs or ran: it kills the child
      }
    }
  }

  private void readOutput() {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!ready.isDone() && line.startsWith(DemoServerCommand.READY)) {
          readyNanos = System.nanoTime();
          ready.complete(line.substring(DemoServerCommand.READY.length()).trim());
          continue;
        }
        synchronized (output) {
          output.addLast(line);
          if (output.size() > KEPT_LINES) {
            output.removeFirst();
          }
        }
      }
    } catch (IOException closed) {
      // the process is gone
    }
    ready.completeExceptionally(
        new IllegalStateException("output of demo server " + name + " ended"));
  }

  private String lastOutput() {
    synchronized (output) {
      return output.isEmpty() ? "" : "; its last output:\n" + String.join("\n", output);
    }
  }
}
