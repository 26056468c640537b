package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdBinaryTest {

  private static final String INSTRUCTIONS =
      "etcd binary not found: set ETCD_BIN to its path, or install "
          + "Debian's etcd-server package (apt-get update && apt-get install -y etcd-server)";

  @Test
  void aBogusSystemPropertyFailsWithInstructions() {
    String previous = System.getProperty(EtcdBinary.SYSTEM_PROPERTY);
    System.setProperty(EtcdBinary.SYSTEM_PROPERTY, "/nonexistent/bin/etcd");
    try {
      assertThatThrownBy(EtcdBinary::locate)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith(INSTRUCTIONS)
          .hasMessageContaining("/nonexistent/bin/etcd");
    } finally {
      restore(previous);
    }
  }

  @Test
  void aClusterWithABogusBinaryFailsBeforeCreatingAnything(@TempDir Path tmp) {
    String previous = System.getProperty(EtcdBinary.SYSTEM_PROPERTY);
    System.setProperty(EtcdBinary.SYSTEM_PROPERTY, tmp.resolve("no-etcd-here").toString());
    Path root = tmp.resolve("root");
    EtcdCluster cluster = EtcdCluster.builder().dataRoot(root).build();
    try {
      assertThatThrownBy(cluster::start).hasMessageStartingWith(INSTRUCTIONS);
      assertThat(root).doesNotExist();
    } finally {
      restore(previous);
      cluster.close();
    }
  }

  @Test
  void nothingConfiguredAndNothingOnThePathFailsWithInstructions() {
    assertThatThrownBy(() -> EtcdBinary.locate(null, null, "/nonexistent-a:/nonexistent-b"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(INSTRUCTIONS)
        .hasMessageContaining("PATH=/nonexistent-a:/nonexistent-b");
  }

  @Test
  void theBinaryIsFoundThroughPropertyEnvironmentAndPath() {
    Path real = EtcdBinary.locate();
    assertThat(Files.isExecutable(real)).isTrue();
    assertThat(EtcdBinary.locate(real.toString(), null, null)).isEqualTo(real);
    assertThat(EtcdBinary.locate(null, real.toString(), null)).isEqualTo(real);
    assertThat(EtcdBinary.locate(null, null, "/nonexistent:" + real.getParent())).isEqualTo(real);
    assertThatThrownBy(() -> EtcdBinary.locate(null, real.getParent().toString(), null))
        .hasMessageStartingWith(INSTRUCTIONS)
        .hasMessageContaining("environment variable ETCD_BIN");
  }

  private static void restore(String previous) {
    if (previous == null) {
      System.clearProperty(EtcdBinary.SYSTEM_PROPERTY);
    } else {
      System.setProperty(EtcdBinary.SYSTEM_PROPERTY, previous);
    }
  }
}
