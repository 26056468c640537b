package dev.registryetcd.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.Version;
import org.junit.jupiter.api.Test;

class JacksonVersionTest {

  @Test
  void theJacksonTheProjectBuildsWithIsSupported() {
    assertThat(JacksonVersion.problem(InstanceCodec.MIN_JACKSON)).isNull();
  }

  @Test
  void anOlderJacksonIsNamedWithTheRequiredVersion() {
    String found = com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString();

    assertThat(JacksonVersion.problem("99.0.0"))
        .contains("jackson-core 99.0.0 or newer")
        .contains("found " + found)
        .contains("registry-etcd-bom");
  }

  @Test
  void comparesMajorMinorAndPatch() {
    Version v2170 = new Version(2, 17, 0, null, "com.fasterxml.jackson.core", "jackson-core");

    assertThat(JacksonVersion.compare(v2170, "2.16.0")).isPositive();
    assertThat(JacksonVersion.compare(v2170, "2.17.0")).isZero();
    assertThat(JacksonVersion.compare(v2170, "2.17.1")).isNegative();
    assertThat(JacksonVersion.compare(v2170, "3.0")).isNegative();
  }
}
