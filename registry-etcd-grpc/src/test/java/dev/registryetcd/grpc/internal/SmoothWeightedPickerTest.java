package dev.registryetcd.grpc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer.Subchannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmoothWeightedPickerTest {

  @Test
  void everyCycleHoldsEachSubchannelExactlyItsWeight() {
    List<Subchannel> subchannels = subchannels(3);
    SmoothWeightedPicker picker = new SmoothWeightedPicker(subchannels, List.of(1L, 2L, 3L));

    for (int cycle = 0; cycle < 100; cycle++) {
      Map<Subchannel, Integer> counts = new HashMap<>();
      for (int i = 0; i < 6; i++) {
        counts.merge(picker.next(), 1, Integer::sum);
      }
      assertThat(counts)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(subchannels.get(0), 1, subchannels.get(1), 2, subchannels.get(2), 3));
    }
  }

  @Test
  void heavyWeightIsInterleavedNotBunched() {
    List<Subchannel> subchannels = subchannels(3);
    SmoothWeightedPicker picker = new SmoothWeightedPicker(subchannels, List.of(5L, 1L, 1L));

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      order.add(subchannels.indexOf(picker.next()));
    }

    assertThat(order).containsExactly(0, 0, 1, 0, 2, 0, 0); // nginx's a a b a c a a
  }

  @Test
  void weightsBeyondJavaIntAreUsedWholeSoTwoToTheFortyAgainstIntMaxIs512To1AsInGo() {
    List<Subchannel> subchannels = subchannels(2);
    SmoothWeightedPicker picker =
        new SmoothWeightedPicker(subchannels, List.of(1L << 40, (long) Integer.MAX_VALUE));

    Map<Subchannel, Integer> counts = new HashMap<>();
    for (int i = 0; i < 513 * 1000; i++) {
      counts.merge(picker.next(), 1, Integer::sum);
    }

    // 2^40 / (2^31 - 1) = 512.0000002: of 513,000 picks, 1,000 go to the lighter one (+-1)
    assertThat(counts.get(subchannels.get(1))).isBetween(999, 1001);
    assertThat(counts.get(subchannels.get(0))).isBetween(511_999, 512_001);
  }

  @Test
  void weightsWhoseSumPassesALongAreScaledDownKeepingTheirRatio() {
    List<Subchannel> subchannels = subchannels(3);
    SmoothWeightedPicker picker =
        new SmoothWeightedPicker(
            subchannels, List.of(Long.MAX_VALUE, Long.MAX_VALUE / 2, Long.MAX_VALUE / 4));

    Map<Subchannel, Integer> counts = new HashMap<>();
    for (int i = 0; i < 7000; i++) {
      counts.merge(picker.next(), 1, Integer::sum);
    }

    assertThat(counts.get(subchannels.get(0))).isBetween(3999, 4001);
    assertThat(counts.get(subchannels.get(1))).isBetween(1999, 2001);
    assertThat(counts.get(subchannels.get(2))).isBetween(999, 1001);
  }

  @Test
  void refusesWeightsThatAreNotPositive() {
    assertThatThrownBy(() -> new SmoothWeightedPicker(subchannels(2), List.of(1L, 0L)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights must be > 0");
  }

  private static List<Subchannel> subchannels(int count) {
    List<Subchannel> subchannels = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      subchannels.add(
          new FakeHelper.FakeSubchannel(
              List.of(
                  new EquivalentAddressGroup(new InetSocketAddress("10.0.0." + (i + 1), 8888)))));
    }
    return subchannels;
  }
}
