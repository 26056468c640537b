package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The directory a cluster owns: every member's data dir and log, deleted on close. */
final class DataRoot {

  private DataRoot() {}

  /**
   * Creates the data root: {@code requested} (which must be new or empty) or, if null, a fresh
   * temporary directory {@code etcd-testkit-<clusterName>-*}.
   */
  static Path prepare(Path requested, String clusterName) {
    try {
      if (requested == null) {
        return Files.createTempDirectory("etcd-testkit-" + clusterName + "-").toAbsolutePath();
      }
      Path dir = requested.toAbsolutePath().normalize();
      if (Files.isDirectory(dir)) {
        try (Stream<Path> entries = Files.list(dir)) {
          if (entries.findAny().isPresent()) {
            throw new IllegalStateException(
                "etcd data root "
                    + dir
                    + " is not empty; the cluster owns "
                    + "its data root and deletes it on close(), so give it a new or empty directory");
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create etcd data root: " + e.getMessage(), e);
    }
  }
}
