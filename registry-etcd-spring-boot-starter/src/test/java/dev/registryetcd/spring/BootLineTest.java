package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/**
 * The shared tests run on the Boot line of the module that runs them: each module's pom passes the
 * Boot version it builds against, so a Boot 3 module tested on Boot 4 by mistake (a BOM out of
 * order) fails here.
 */
class BootLineTest {

  @Test
  void runsOnTheSpringBootOfTheModule() {
    assertThat(SpringBootVersion.getVersion())
        .isEqualTo(System.getProperty("registry-etcd.test.spring-boot.version"));
  }
}
