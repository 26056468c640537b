package dev.registryetcd.grpc.internal;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.SHUTDOWN;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;

import dev.registryetcd.grpc.EtcdAttributes;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Balances calls over one subchannel per address group, in proportion to each group's {@link
 * EtcdAttributes#WEIGHT} (1 when absent), among the READY ones only.
 *
 * <p>An address update keeps the subchannels of unchanged addresses (their connections and
 * in-flight calls are untouched), creates those of new addresses and shuts down those of removed
 * ones; a weight change only makes a new picker. A subchannel that fails to connect is left out
 * until it is READY again; gRPC reconnects it with back-off, and one that falls IDLE is asked to
 * connect again. State: READY if any subchannel is; else CONNECTING if any is still trying for the
 * first time since it last worked; else TRANSIENT_FAILURE with a status naming the last error.
 *
 * <p>Threads: gRPC calls every method on the channel's synchronization context, which owns all
 * fields; only the pickers it hands out are used from other threads.
 */
public final class WeightedRoundRobinLoadBalancer extends LoadBalancer {
  private final Helper helper;
  private Map<List<SocketAddress>, Endpoint> endpoints = new LinkedHashMap<>();
  private ConnectivityState state = IDLE;
  private Object pickerKey;
  private boolean shutdown;

  public WeightedRoundRobinLoadBalancer(Helper helper) {
    this.helper = Objects.requireNonNull(helper, "helper");
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses resolvedAddresses) {
    if (shutdown) {
      return Status.OK;
    }
    Map<List<SocketAddress>, EquivalentAddressGroup> groups = new LinkedHashMap<>();
    Map<List<SocketAddress>, Long> weights = new LinkedHashMap<>();
    for (EquivalentAddressGroup group : resolvedAddresses.getAddresses()) {
      if (group.getAddresses().isEmpty()) {
        continue;
      }
      // Two groups with the same addresses are one endpoint carrying both weights.
      groups.putIfAbsent(group.getAddresses(), group);
      weights.merge(
          group.getAddresses(),
          weightOf(group),
          (a, b) -> a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b);
    }
    if (groups.isEmpty()) {
      Status error =
          Status.UNAVAILABLE.withDescription(
              "the name resolver gave no address for "
                  + helper.getAuthority()
                  + ": "
                  + resolvedAddresses);
      handleNameResolutionError(error);
      return error;
    }

    Map<List<SocketAddress>, Endpoint> next = new LinkedHashMap<>();
    for (Map.Entry<List<SocketAddress>, EquivalentAddressGroup> entry : groups.entrySet()) {
      EquivalentAddressGroup group = entry.getValue();
      long weight = weights.get(entry.getKey());
      Endpoint endpoint = endpoints.remove(entry.getKey());
      if (endpoint == null) {
        endpoint = new Endpoint(group, weight);
        next.put(entry.getKey(), endpoint);
        endpoint.start();
      } else {
        next.put(entry.getKey(), endpoint);
        endpoint.weight = weight;
        if (!endpoint.group.equals(group)) {
          // Same addresses, new attributes (weight, tags): the subchannel keeps its connection.
          endpoint.group = group;
          endpoint.subchannel.updateAddresses(List.of(group));
        }
      }
    }
    for (Endpoint removed : endpoints.values()) {
      removed.subchannel.shutdown();
    }
    endpoints = next;
    updateBalancingState(null);
    return Status.OK;
  }

  /**
   * Keeps serving the subchannels it has while any is READY (the resolver lost its instances or
   * etcd, and the last known addresses are the best guess); otherwise fails calls with {@code
   * error}.
   */
  @Override
  public void handleNameResolutionError(Status error) {
    if (shutdown || state == READY) {
      return;
    }
    state = TRANSIENT_FAILURE;
    pickerKey = null;
    helper.updateBalancingState(TRANSIENT_FAILURE, new FailingPicker(error));
  }

  @Override
  public void requestConnection() {
    for (Endpoint endpoint : endpoints.values()) {
      if (endpoint.state.getState() == IDLE) {
        endpoint.subchannel.requestConnection();
      }
    }
  }

  @Override
  public void shutdown() {
    shutdown = true;
    for (Endpoint endpoint : endpoints.values()) {
      endpoint.subchannel.shutdown();
    }
    endpoints = new LinkedHashMap<>();
  }

  private void onSubchannelState(Endpoint endpoint, ConnectivityStateInfo info) {
    if (shutdown
        || endpoints.get(endpoint.group.getAddresses()) != endpoint
        || info.getState() == SHUTDOWN) {
      return;
    }
    endpoint.state = info;
    switch (info.getState()) {
      case READY -> endpoint.failing = false;
      case TRANSIENT_FAILURE -> {
        endpoint.failing = true;
        endpoint.lastError = info.getStatus();
        // gRPC retries the connection itself after a back-off; asking again is harmless, and a
        // resolver that polls (not ours) gets a chance to drop a dead address.
        endpoint.subchannel.requestConnection();
        helper.refreshNameResolution();
      }
      case IDLE -> {
        // The connection closed (server went away, or idle): reconnect so the endpoint can come
        // back.
        endpoint.subchannel.requestConnection();
        helper.refreshNameResolution();
      }
      default -> {}
    }
    updateBalancingState(endpoint);
  }

  private void updateBalancingState(Endpoint changed) {
    List<Subchannel> ready = new ArrayList<>();
    List<Long> readyWeights = new ArrayList<>();
    boolean connecting = false;
    Status lastError = null;
    for (Endpoint endpoint : endpoints.values()) {
      ConnectivityState s = endpoint.state.getState();
      if (s == READY) {
        ready.add(endpoint.subchannel);
        readyWeights.add(endpoint.weight);
      } else if (!endpoint.failing) {
        connecting =
            true; // IDLE (about to connect) or CONNECTING for the first time since it last worked
      } else if (lastError == null || endpoint == changed) {
        lastError = endpoint.lastError;
      }
    }
    if (!ready.isEmpty()) {
      publish(
          READY, List.of(ready, readyWeights), () -> new SmoothWeightedPicker(ready, readyWeights));
    } else if (connecting) {
      publish(CONNECTING, CONNECTING, () -> new FixedPicker(PickResult.withNoResult()));
    } else {
      Status error =
          Status.UNAVAILABLE
              .withDescription(
                  "none of the "
                      + endpoints.size()
                      + " instance(s) of "
                      + helper.getAuthority()
                      + " is reachable; last error: "
                      + describe(lastError))
              .withCause(lastError == null ? null : lastError.getCause());
      publish(
          TRANSIENT_FAILURE,
          List.of(TRANSIENT_FAILURE, describe(lastError)),
          () -> new FailingPicker(error));
    }
  }

  /**
   * Hands gRPC a new picker unless the last one is the same: a fresh picker restarts the rotation.
   */
  private void publish(ConnectivityState newState, Object key, Supplier<SubchannelPicker> picker) {
    if (newState == state && key.equals(pickerKey)) {
      return;
    }
    state = newState;
    pickerKey = key;
    helper.updateBalancingState(newState, picker.get());
  }

  private static long weightOf(EquivalentAddressGroup group) {
    Long weight = group.getAttributes().get(EtcdAttributes.WEIGHT);
    return weight == null || weight <= 0 ? 1 : weight;
  }

  private static String describe(Status status) {
    if (status == null) {
      return "none reported";
    }
    return status.getCode()
        + (status.getDescription() == null ? "" : ": " + status.getDescription());
  }

  @Override
  public String toString() {
    return "WeightedRoundRobinLoadBalancer{"
        + helper.getAuthority()
        + ", "
        + state
        + ", "
        + endpoints.size()
        + " endpoint(s)}";
  }

  /** One address group and its subchannel. */
  private final class Endpoint {
    EquivalentAddressGroup group;
    long weight;
    final Subchannel subchannel;
    ConnectivityStateInfo state = ConnectivityStateInfo.forNonError(IDLE);
    boolean
        failing; // sticky from TRANSIENT_FAILURE until READY, so the overall state does not flap
    Status lastError;

    Endpoint(EquivalentAddressGroup group, long weight) {
      this.group = group;
      this.weight = weight;
      this.subchannel =
          helper.createSubchannel(CreateSubchannelArgs.newBuilder().setAddresses(group).build());
    }

    void start() {
      subchannel.start(info -> onSubchannelState(this, info));
      subchannel.requestConnection();
    }
  }

  /** Fails every pick with one status. */
  private static final class FailingPicker extends SubchannelPicker {
    private final Status error;

    FailingPicker(Status error) {
      this.error = error;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      return PickResult.withError(error);
    }

    @Override
    public String toString() {
      return "FailingPicker{" + error + "}";
    }
  }

  /** Answers every pick the same way (here: wait). */
  private static final class FixedPicker extends SubchannelPicker {
    private final PickResult result;

    FixedPicker(PickResult result) {
      this.result = result;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      return result;
    }
  }
}
