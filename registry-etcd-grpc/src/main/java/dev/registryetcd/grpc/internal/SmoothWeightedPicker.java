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
 * <p>Weights are Go's 64-bit {@code int}s, used whole: weights {@code 2^40} and {@code 2^31-1}
 * balance 512:1, as in Go. Only when their sum passes {@value #MAX_TOTAL} (where the rotation's
 * counters would overflow) are they all halved, as often as needed, keeping each at least 1: the
 * ratios then hold to within a part in {@code 2^62 / sum}.
 *
 * <p>Thread-safe: gRPC picks from any thread; each pick holds a short lock, O(subchannels).
 */
final class SmoothWeightedPicker extends SubchannelPicker {
  /** The largest sum of weights used as it is: 2^62, so no counter can overflow a long. */
  static final long MAX_TOTAL = 1L << 62;

  private final Subchannel[] subchannels;
  private final long[] weights;
  private final long[] current; // guarded by this
  private final long total;

  /**
   * @param weights one weight {@code > 0} per subchannel, in the same order
   */
  SmoothWeightedPicker(List<Subchannel> subchannels, List<Long> weights) {
    if (subchannels.isEmpty() || subchannels.size() != weights.size()) {
      throw new IllegalArgumentException(
          "one weight per subchannel, and at least one subchannel: "
              + subchannels.size()
              + " subchannels, "
              + weights.size()
              + " weights");
    }
    this.subchannels = subchannels.toArray(new Subchannel[0]);
    long[] given = new long[weights.size()];
    for (int i = 0; i < given.length; i++) {
      long weight = weights.get(i);
      if (weight <= 0) {
        throw new IllegalArgumentException("weights must be > 0, not " + weight);
      }
      given[i] = weight;
    }
    int shift = 0;
    while (sumShifted(given, shift) > MAX_TOTAL) {
      shift++;
    }
    this.weights = new long[given.length];
    long sum = 0;
    for (int i = 0; i < given.length; i++) {
      this.weights[i] = Math.max(1, given[i] >> shift);
      sum += this.weights[i];
    }
    this.total = sum;
    this.current = new long[this.weights.length];
  }

  /**
   * The weights' sum, each shifted right by {@code shift} (at least 1); MAX_VALUE past the limit.
   */
  private static long sumShifted(long[] weights, int shift) {
    long sum = 0;
    for (long weight : weights) {
      long term = Math.max(1, weight >> shift);
      if (term > MAX_TOTAL - sum) {
        return Long.MAX_VALUE; // checked before adding, so the sum never wraps
      }
      sum += term;
    }
    return sum;
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
