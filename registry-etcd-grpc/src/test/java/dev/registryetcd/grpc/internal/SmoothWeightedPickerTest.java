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
    SmoothWeightedPicker picker = new SmoothWeightedPicker(subchannels, List.of(1, 2, 3));

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
    SmoothWeightedPicker picker = new SmoothWeightedPicker(subchannels, List.of(5, 1, 1));

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      order.add(subchannels.indexOf(picker.next()));
    }

    assertThat(order).containsExactly(0, 0, 1, 0, 2, 0, 0); // nginx's a a b a c a a
  }

  @Test
  void refusesWeightsThatAreNotPositive() {
    assertThatThrownBy(() -> new SmoothWeightedPicker(subchannels(2), List.of(1, 0)))
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
