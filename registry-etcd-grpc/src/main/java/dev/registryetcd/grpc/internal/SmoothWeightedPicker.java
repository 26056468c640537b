package dev.registryetcd.grpc.internal;

import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.List;

/**
 * Picks among READY subchannels in proportion to their weights with nginx's smooth weighted round
 * robin: deterministic, and it interleaves (weights 5:1:1 give a a b a c a a, not a a a a a b c),
 * so every run of {@code sum(weights)} picks holds exactly {@code weight} picks of each subchannel.
 *
 * <p>Thread-safe: gRPC picks from any thread; each pick holds a short lock, O(subchannels).
 */
final class SmoothWeightedPicker extends SubchannelPicker {
  private final Subchannel[] subchannels;
  private final int[] weights;
  private final long[] current; // guarded by this
  private final long total;

  /**
   * @param weights one weight {@code > 0} per subchannel, in the same order
   */
  SmoothWeightedPicker(List<Subchannel> subchannels, List<Integer> weights) {
    if (subchannels.isEmpty() || subchannels.size() != weights.size()) {
      throw new IllegalArgumentException(
          "one weight per subchannel, and at least one subchannel: "
              + subchannels.size()
              + " subchannels, "
              + weights.size()
              + " weights");
    }
    this.subchannels = subchannels.toArray(new Subchannel[0]);
    this.weights = new int[weights.size()];
    long sum = 0;
    for (int i = 0; i < this.weights.length; i++) {
      int weight = weights.get(i);
      if (weight <= 0) {
        throw new IllegalArgumentException("weights must be > 0, not " + weight);
      }
      this.weights[i] = weight;
      sum += weight;
    }
    this.total = sum;
    this.current = new long[this.weights.length];
  }

  @Override
  public PickResult pickSubchannel(PickSubchannelArgs args) {
    return PickResult.withSubchannel(next());
  }

  Subchannel next() {
    if (subchannels.length == 1) {
      return subchannels[0];
    }
    int best = 0;
    synchronized (this) {
      for (int i = 0; i < current.length; i++) {
        current[i] += weights[i];
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
    }
    return subchannels[best];
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("SmoothWeightedPicker{");
    for (int i = 0; i < subchannels.length; i++) {
      text.append(i == 0 ? "" : ", ")
          .append(subchannels[i].getAddresses().getAddresses())
          .append('=')
          .append(weights[i]);
    }
    return text.append('}').toString();
  }
}
