package dev.registryetcd.testkit.junit;

import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension that runs an {@link EtcdCluster} around tests. Register it with {@link
 * org.junit.jupiter.api.extension.RegisterExtension @RegisterExtension}:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final EtcdExtension etcd = EtcdExtension.single();   // one server for the whole class
 *
 * @RegisterExtension
 * final EtcdExtension etcd = EtcdExtension.cluster(3);         // a fresh cluster for every test
 * }</pre>
 *
 * <p>On a static field the cluster starts before all tests and is closed after all (also serving
 * {@code @Nested} classes); on an instance field it is started and closed around each test. If a
 * test in its scope failed, each member's log is copied to {@code
 * target/etcd-logs/<TestClass>-<member>.log} (per-test scope: {@code
 * <TestClass>-<testMethod>-<member>.log}) and the paths are printed to stderr.
 */
public final class EtcdExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final Path LOG_DIR = Path.of("target", "etcd-logs");

  private final EtcdCluster.Builder builder;
  private volatile EtcdCluster cluster;
  private String classScopeOwner;
  private boolean failed;

  private EtcdExtension(EtcdCluster.Builder builder) {
    this.builder = builder;
  }

  /** A single etcd server. */
  public static EtcdExtension single() {
    return new EtcdExtension(EtcdCluster.builder());
  }

  /** A cluster of {@code members} etcd members. */
  public static EtcdExtension cluster(int members) {
    return new EtcdExtension(EtcdCluster.builder().members(members));
  }

  /** A cluster built from (a copy of) {@code builder}. */
  public static EtcdExtension of(EtcdCluster.Builder builder) {
    return new EtcdExtension(Objects.requireNonNull(builder, "builder").copy());
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (classScopeOwner != null) {
      return; // a @Nested class of the class that owns the cluster
    }
    classScopeOwner = context.getUniqueId();
    startCluster();
  }

  @Override
  public synchronized void beforeEach(ExtensionContext context) {
    if (classScopeOwner == null) {
      startCluster();
    }
  }

  @Override
  public synchronized void afterEach(ExtensionContext context) {
    if (context.getExecutionException().isPresent()) {
      failed = true;
    }
    if (classScopeOwner == null) {
      String testName =
          context
                  .getRequiredTestClass()
                  .getName()
                  .substring(context.getRequiredTestClass().getPackageName().length())
                  .replaceFirst("^\\.", "")
              + context.getTestMethod().map(m -> "-" + m.getName()).orElse("");
      finish(testName);
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (!context.getUniqueId().equals(classScopeOwner)) {
      return;
    }
    if (context.getExecutionException().isPresent()) {
      failed = true;
    }
    Class<?> testClass = context.getRequiredTestClass();
    classScopeOwner = null;
    finish(
        testClass
            .getName()
            .substring(testClass.getPackageName().length())
            .replaceFirst("^\\.", ""));
  }

  private void startCluster() {
    failed = false;
    EtcdCluster c = builder.copy().build();
    cluster = c;
    try {
      c.start();
    } catch (RuntimeException e) {
      failed = true; // keep the logs: the after-callback saves them and closes the cluster
      throw e;
    }
  }

  private void finish(String label) {
    EtcdCluster c = cluster;
    cluster = null;
    if (c == null) {
      return;
    }
    try {
      if (failed && c.isStarted()) {
        saveLogs(c, label);
      }
    } finally {
      failed = false;
      c.close();
    }
  }

  private static void saveLogs(EtcdCluster c, String label) {
    List<Path> saved = new ArrayList<>();
    try {
      Files.createDirectories(LOG_DIR);
      for (EtcdMember m : c.members()) {
        Path source = m.logFile();
        if (Files.exists(source)) {
          Path target = LOG_DIR.resolve(label + "-" + m.name() + ".log");
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
          saved.add(target.toAbsolutePath());
        }
      }
    } catch (IOException | IllegalStateException e) {
      System.err.println("etcd-testkit: could not save etcd logs for " + label + ": " + e);
    }
    if (!saved.isEmpty()) {
      System.err.println("etcd-testkit: a test in " + label + " failed; etcd logs: " + saved);
    }
  }

  /**
   * The running cluster.
   *
   * @throws IllegalStateException outside the extension's scope
   */
  public EtcdCluster cluster() {
    EtcdCluster c = cluster;
    if (c == null) {
      throw new IllegalStateException(
          "EtcdExtension has no running cluster here: register it with "
              + "@RegisterExtension on a static field (per class) or an instance field (per test), and use it "
              + "inside tests or lifecycle methods");
    }
    return c;
  }

  /**
   * {@link EtcdCluster#clientEndpoints()}: {@code http://127.0.0.1:PORT} ({@code https://} with
   * TLS), one each.
   */
  public List<String> clientEndpoints() {
    return cluster().clientEndpoints();
  }

  /** {@link EtcdCluster#clientEndpointsAsHostPort()}: {@code 127.0.0.1:PORT}, one per member. */
  public List<String> clientEndpointsAsHostPort() {
    return cluster().clientEndpointsAsHostPort();
  }

  /** {@link EtcdCluster#member(int)}. */
  public EtcdMember member(int index) {
    return cluster().member(index);
  }

  /** {@link EtcdCluster#leader()}. */
  public EtcdMember leader() {
    return cluster().leader();
  }
}
