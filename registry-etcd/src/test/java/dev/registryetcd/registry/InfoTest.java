package dev.registryetcd.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InfoTest {
  private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 8888);

  /** A builder for {@code echo} at {@link #ADDRESS}, which a test completes or breaks. */
  private static Info.Builder echo() {
    return Info.builder().serviceName("echo").address(ADDRESS);
  }

  @Test
  void builderAppliesKitexDefaults() {
    Info info = echo().build();

    assertThat(info.weight()).isEqualTo(10);
    assertThat(info.tags()).isNull();
    assertThat(info.warmUp()).isEqualTo(Duration.ZERO);
    assertThat(info.payloadCodec()).isEmpty();
    assertThat(info.startTime()).isNotNull();
    assertThat(info.skipListenAddr()).isFalse();
  }

  @Test
  void weightTakesGoSixtyFourBitRangeAsItIs() {
    Info.Builder builder = Info.builder().serviceName("echo").address(ADDRESS);

    assertThat(builder.weight(1L << 40).build().weight()).isEqualTo(1L << 40);
    assertThat(builder.weight(Long.MAX_VALUE).build().weight()).isEqualTo(Long.MAX_VALUE);
    assertThat(builder.weight(-3).build().weight()).isEqualTo(-3L);
    assertThat(builder.weight(1L << 40).build().toBuilder().build().weight()).isEqualTo(1L << 40);
  }

  @Test
  void everyRefusalNamesItsFieldAsATypeNotOnlyInTheMessage() {
    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("zone", null);
    assertThatThrownBy(() -> Info.builder().serviceName("a/b").address(ADDRESS).build())
        .isInstanceOfSatisfying(
            InvalidInfoException.class,
            e -> assertThat(e.field()).isEqualTo(InvalidInfoException.Field.SERVICE_NAME));
    assertThatThrownBy(() -> Info.builder().serviceName("echo").build())
        .isInstanceOfSatisfying(
            InvalidInfoException.class,
            e -> assertThat(e.field()).isEqualTo(InvalidInfoException.Field.ADDRESS));
    assertThatThrownBy(() -> echo().warmUp(Duration.ofSeconds(-1)).build())
        .isInstanceOfSatisfying(
            InvalidInfoException.class,
            e -> assertThat(e.field()).isEqualTo(InvalidInfoException.Field.WARM_UP));
    assertThatThrownBy(() -> echo().tags(nullValue).build())
        .isInstanceOfSatisfying(
            InvalidInfoException.class,
            e -> assertThat(e.field()).isEqualTo(InvalidInfoException.Field.TAGS));
  }

  @Test
  void emptyServiceNameIsRefusedNamingTheField() {
    assertThatThrownBy(() -> Info.builder().serviceName("").address(ADDRESS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serviceName");
    assertThatThrownBy(() -> Info.builder().address(ADDRESS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serviceName");
  }

  @Test
  void serviceNameWithSlashIsRefusedNamingTheField() {
    assertThatThrownBy(() -> Info.builder().serviceName("a/b").address(ADDRESS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("serviceName")
        .hasMessageContaining("a/b");
  }

  @Test
  void missingOrForeignAddressIsRefusedNamingTheField() {
    assertThatThrownBy(() -> Info.builder().serviceName("echo").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("address");
    SocketAddress foreign =
        new SocketAddress() {
          private static final long serialVersionUID = 1L;
        };
    assertThatThrownBy(() -> Info.builder().serviceName("echo").address(foreign).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("address");
  }

  @Test
  void nullTagKeyOrValueIsRefusedNamingTheTag() {
    Map<String, String> tags = new HashMap<>();
    tags.put("zone", null);
    assertThatThrownBy(() -> echo().tags(tags).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zone");
  }

  @Test
  void negativeWarmUpIsRefused() {
    assertThatThrownBy(() -> echo().warmUp(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warmUp");
  }

  @Test
  void tagsAreCopiedAndCannotChangeAfterwards() {
    Map<String, String> tags = new HashMap<>(Map.of("zone", "a"));
    Info info = echo().tags(tags).build();
    tags.put("zone", "b");

    assertThat(info.tag("zone")).isEqualTo("a");
    assertThatThrownBy(() -> info.tags().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toBuilderKeepsEveryField() {
    Info info =
        echo()
            .weight(3)
            .tag("k", "v")
            .payloadCodec("thrift")
            .warmUp(Duration.ofSeconds(5))
            .skipListenAddr(true)
            .build();

    assertThat(info.toBuilder().build()).isEqualTo(info);
    assertThat(info.toBuilder().weight(4).build().weight()).isEqualTo(4);
  }
}
