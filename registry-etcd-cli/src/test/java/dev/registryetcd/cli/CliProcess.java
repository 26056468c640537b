package dev.registryetcd.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code registry-etcd} as a process of its own ({@code java -cp <this class path>
 * RegistryEtcdCommand ...}), as a shell would, and keeps the raw bytes it writes: what reaches a
 * terminal, log lines of the library and jetcd included. Its environment holds no {@code ETCD_*}
 * variable of the machine.
 */
final class CliProcess {
  private CliProcess() {}

  /** What a finished process wrote, byte for byte. */
  record Result(int exitCode, byte[] out, byte[] err) {
    String outText() {
      return new String(out, StandardCharsets.UTF_8);
    }

    String errText() {
      return new String(err, StandardCharsets.UTF_8);
    }
  }

  /** Runs {@code args} and waits at most {@code bound} for the process to end. */
  static Result run(Duration bound, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    // As the shipped jar: without the test-only BouncyCastle, through which Netty would read keys
    // the command must read on its own (a PKCS#1 key).
    command.add(
        String.join(
            File.pathSeparator,
            Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("bouncycastle"))
                .toList()));
    command.add(RegistryEtcdCommand.class.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("ETCD_"));
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      Drain out = new Drain(process.getInputStream());
      Drain err = new Drain(process.getErrorStream());
      out.start();
      err.start();
      if (!process.waitFor(bound.toNanos(), TimeUnit.NANOSECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "registry-etcd "
                + String.join(" ", args)
                + " did not end within "
                + bound
                + "; stderr: "
                + new String(err.bytes(), StandardCharsets.UTF_8));
      }
      out.join(10_000);
      err.join(10_000);
      return new Result(process.exitValue(), out.bytes(), err.bytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Reads one stream of the process to its end, on a thread of its own. */
  private static final class Drain extends Thread {
    private final InputStream in;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Drain(InputStream in) {
      this.in = in;
      setDaemon(true);
    }

    @Override
    public void run() {
      try (in) {
        in.transferTo(bytes);
      } catch (IOException ended) {
        // the process went away
      }
    }

    synchronized byte[] bytes() {
      return bytes.toByteArray();
    }
  }
}
