package dev.registryetcd.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Finds the {@code etcd} executable: the system property {@value #SYSTEM_PROPERTY}, else the
 * environment variable {@value #ENV_VARIABLE}, else {@code etcd} on the {@code PATH}.
 */
public final class EtcdBinary {

  /** System property naming the etcd executable; checked first. */
  public static final String SYSTEM_PROPERTY = "etcd.bin";

  /**
   * Environment variable naming the etcd executable; checked when the system property is not set.
   */
  public static final String ENV_VARIABLE = "ETCD_BIN";

  static final String NOT_FOUND =
      "etcd binary not found: set ETCD_BIN to its path, or install Debian's "
          + "etcd-server package (apt-get update && apt-get install -y etcd-server)";

  private EtcdBinary() {}

  /**
   * Locates the etcd executable.
   *
   * @return its absolute path
   * @throws IllegalStateException if the configured path is not an executable file, or nothing is
   *     configured and there is no {@code etcd} on the {@code PATH}; the message says how to fix it
   */
  public static Path locate() {
    return locate(
        System.getProperty(SYSTEM_PROPERTY), System.getenv(ENV_VARIABLE), System.getenv("PATH"));
  }

  static Path locate(String property, String env, String searchPath) {
    if (property != null && !property.isBlank()) {
      return requireExecutable(property, "system property " + SYSTEM_PROPERTY);
    }
    if (env != null && !env.isBlank()) {
      return requireExecutable(env, "environment variable " + ENV_VARIABLE);
    }
    if (searchPath != null) {
      for (String dir : searchPath.split(File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        try {
          Path candidate = Path.of(dir, "etcd");
          if (isExecutableFile(candidate)) {
            return candidate.toAbsolutePath();
          }
        } catch (InvalidPathException ignored) {
          // not a usable PATH entry
        }
      }
    }
    throw new IllegalStateException(
        NOT_FOUND
            + " (neither system property "
            + SYSTEM_PROPERTY
            + " nor environment variable "
            + ENV_VARIABLE
            + " is set, and there is no etcd on PATH="
            + searchPath
            + ")");
  }

  static Path requireExecutable(String value, String source) {
    try {
      Path path = Path.of(value.trim());
      if (isExecutableFile(path)) {
        return path.toAbsolutePath();
      }
    } catch (InvalidPathException ignored) {
      // reported below
    }
    throw new IllegalStateException(
        NOT_FOUND + " (" + source + " is '" + value + "', which is not an executable file)");
  }

  private static boolean isExecutableFile(Path path) {
    return Files.isRegularFile(path) && Files.isExecutable(path);
  }
}
