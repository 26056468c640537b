package dev.registryetcd.grpc.internal;

import io.grpc.Attributes;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.ManagedChannel;
import io.grpc.SynchronizationContext;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the channel around a load balancer: records the subchannels it creates and the
 * state it is told, so the policy's bookkeeping can be checked step by step. The end-to-end tests
 * run the same policy in real channels.
 */
final class FakeHelper extends LoadBalancer.Helper {
  final List<FakeSubchannel> created = new ArrayList<>();
  final SynchronizationContext syncContext =
      new SynchronizationContext(
          (thread, error) -> {
            throw new AssertionError(error);
          });
  ConnectivityState state;
  LoadBalancer.SubchannelPicker picker;
  int updates;
  int refreshes;

  @Override
  public LoadBalancer.Subchannel createSubchannel(LoadBalancer.CreateSubchannelArgs args) {
    FakeSubchannel subchannel = new FakeSubchannel(args.getAddresses());
    created.add(subchannel);
    return subchannel;
  }

  @Override
  public void updateBalancingState(
      ConnectivityState newState, LoadBalancer.SubchannelPicker newPicker) {
    state = newState;
    picker = newPicker;
    updates++;
  }

  @Override
  public void refreshNameResolution() {
    refreshes++;
  }

  @Override
  public ManagedChannel createOobChannel(EquivalentAddressGroup eag, String authority) {
    throw new UnsupportedOperationException();
  }

  @Override
  public String getAuthority() {
    return "echo";
  }

  @Override
  public SynchronizationContext getSynchronizationContext() {
    return syncContext;
  }

  LoadBalancer.PickResult pick() {
    return picker.pickSubchannel(null);
  }

  static final class FakeSubchannel extends LoadBalancer.Subchannel {
    List<EquivalentAddressGroup> addresses;
    LoadBalancer.SubchannelStateListener listener;
    int connectionRequests;
    boolean shutdown;

    FakeSubchannel(List<EquivalentAddressGroup> addresses) {
      this.addresses = addresses;
    }

    @Override
    public void start(LoadBalancer.SubchannelStateListener listener) {
      this.listener = listener;
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public void requestConnection() {
      connectionRequests++;
    }

    @Override
    public List<EquivalentAddressGroup> getAllAddresses() {
      return addresses;
    }

    @Override
    public void updateAddresses(List<EquivalentAddressGroup> addrs) {
      addresses = addrs;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    void become(ConnectivityStateInfo info) {
      listener.onSubchannelState(info);
    }

    void become(ConnectivityState state) {
      become(ConnectivityStateInfo.forNonError(state));
    }

    @Override
    public String toString() {
      return "FakeSubchannel" + addresses;
    }
  }
}
