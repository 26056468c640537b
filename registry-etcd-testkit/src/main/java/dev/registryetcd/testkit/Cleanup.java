package dev.registryetcd.testkit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * JVM-wide registry of started etcd processes and data roots.
 *
 * <p>A shutdown hook kills every registered process and deletes every registered root. For the case
 * where the JVM dies without running hooks (SIGKILL), a tiny "reaper" child ({@code sh} + {@code
 * awk}) is told about every process and root over its stdin; when the JVM dies its stdin reaches
 * EOF and it kills and deletes whatever is still listed.
 */
final class Cleanup {

  private static final Set<Process> PROCESSES = ConcurrentHashMap.newKeySet();
  private static final Set<Path> ROOTS = ConcurrentHashMap.newKeySet();

  /** Accumulates +pid/-pid/Dpath/dpath lines; at EOF prints what is still registered. */
  private static final String REAPER_AWK =
      String.join(
          "\n",
          "/^\\+[0-9]+$/ { p[substr($0, 2)] = 1; next }",
          "/^-[0-9]+$/ { delete p[substr($0, 2)]; next }",
          "/^D\\// { d[substr($0, 2)] = 1; next }",
          "/^d\\// { delete d[substr($0, 2)]; next }",
          "END { for (x in p) print \"P\" x; for (x in d) print \"D\" x }");

  private static final String REAPER_SH =
      "awk \"$1\" | while IFS= read -r l; do case \"$l\" in "
          + "P*) kill -9 \"${l#P}\" 2>/dev/null ;; D*) rm -rf -- \"${l#D}\" ;; esac; done";

  private static boolean installed;
  private static Process reaper;
  private static BufferedWriter reaperInput;

  private Cleanup() {}

  private static synchronized void install() {
    if (installed) {
      return;
    }
    installed = true;
    Runtime.getRuntime()
        .addShutdownHook(new Thread(Cleanup::cleanUpEverything, "etcd-testkit-cleanup"));
    try {
      reaper =
          new ProcessBuilder("sh", "-c", REAPER_SH, "etcd-testkit-reaper", REAPER_AWK)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      reaperInput =
          new BufferedWriter(
              new OutputStreamWriter(reaper.getOutputStream(), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      reaper = null; // best effort: the shutdown hook still covers normal JVM exits
    }
  }

  private static synchronized void tellReaper(String line) {
    if (reaperInput == null) {
      return;
    }
    try {
      reaperInput.write(line);
      reaperInput.write('\n');
      reaperInput.flush();
    } catch (IOException e) {
      reaperInput = null;
    }
  }

  /** Registers a started etcd process; it is unregistered automatically when it exits. */
  static void register(Process process) {
    install();
    PROCESSES.add(process);
    long pid = process.pid();
    tellReaper("+" + pid);
    process
        .onExit()
        .thenRun(
            () -> {
              PROCESSES.remove(process);
              tellReaper("-" + pid);
            });
  }

  /** Registers a data root to delete at JVM exit unless {@link #unregisterRoot} is called first. */
  static void registerRoot(Path root) {
    install();
    Path abs = root.toAbsolutePath().normalize();
    ROOTS.add(abs);
    if (reaperSafe(abs)) {
      tellReaper("D" + abs);
    }
  }

  static void unregisterRoot(Path root) {
    Path abs = root.toAbsolutePath().normalize();
    ROOTS.remove(abs);
    if (reaperSafe(abs)) {
      tellReaper("d" + abs);
    }
  }

  /** Only absolute, single-line paths below at least two levels are handed to {@code rm -rf}. */
  private static boolean reaperSafe(Path abs) {
    String s = abs.toString();
    return s.startsWith("/")
        && abs.getNameCount() >= 2
        && s.indexOf('\n') < 0
        && s.indexOf('\r') < 0;
  }

  private static void cleanUpEverything() {
    List<Process> processes = new ArrayList<>(PROCESSES);
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Path root : new ArrayList<>(ROOTS)) {
      try {
        deleteRecursively(root);
        unregisterRoot(root);
      } catch (IOException | UncheckedIOException e) {
        System.err.println("etcd-testkit: could not delete " + root + ": " + e);
      }
    }
    synchronized (Cleanup.class) {
      if (reaperInput != null) {
        try {
          reaperInput.close();
        } catch (IOException ignored) {
          // the reaper sees EOF either way once the JVM is gone
        }
        reaperInput = null;
      }
    }
  }

  /** Deletes a file tree without following symbolic links; a missing tree is not an error. */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
            if (exc instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw exc;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            if (exc != null && !(exc instanceof NoSuchFileException)) {
              throw exc;
            }
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * The last {@code lines} lines of a text file (reads at most its last 64 KiB); "" if it cannot be
   * read.
   */
  static String tail(Path file, int lines) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, 64 * 1024);
      byte[] bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
      String[] all = new String(bytes, StandardCharsets.UTF_8).split("\r?\n");
      int from = Math.max(size < length ? 1 : 0, all.length - lines);
      return String.join("\n", Arrays.asList(all).subList(Math.min(from, all.length), all.length));
    } catch (IOException e) {
      return "";
    }
  }

  /** The text appended to a file after byte offset {@code from}; "" if it cannot be read. */
  static String readFrom(Path file, long from) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length <= from) {
        return "";
      }
      long start = Math.max(from, length - 1024 * 1024);
      byte[] bytes = new byte[(int) (length - start)];
      raf.seek(start);
      raf.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
