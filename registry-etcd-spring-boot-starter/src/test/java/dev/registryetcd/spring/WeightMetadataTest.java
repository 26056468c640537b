package dev.registryetcd.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.spring.discovery.EtcdServiceInstance;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code weight} metadata Spring Cloud LoadBalancer's weighted supplier parses with {@code
 * Integer.parseInt}, for Go's 64-bit weights.
 */
class WeightMetadataTest {

  @Test
  void aGoWeightPastJavasIntIsClampedSoSpringCanParseIt() {
    Instance go = new Instance("tcp", "10.0.0.1:8888", 1L << 40, null);

    String weight = EtcdServiceInstance.metadataOf(go).get(EtcdServiceInstance.WEIGHT);

    assertThat(weight).isEqualTo("2147483647");
    assertThat(Integer.parseInt(weight)).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void aWeightWithinJavasIntIsWrittenAsItIsBesideTheTags() {
    Instance instance = new Instance("tcp", "10.0.0.1:8888", 20, Map.of("zone", "b"));

    assertThat(EtcdServiceInstance.metadataOf(instance))
        .containsExactlyInAnyOrderEntriesOf(Map.of("zone", "b", "weight", "20"));
  }
}
