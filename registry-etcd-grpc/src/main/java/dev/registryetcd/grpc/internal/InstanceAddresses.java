package dev.registryetcd.grpc.internal;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.grpc.EtcdAttributes;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns registry instances into gRPC address groups, one per instance. */
final class InstanceAddresses {
  private static final Logger log = LoggerFactory.getLogger(InstanceAddresses.class);

  private InstanceAddresses() {}

  /**
   * One {@link EquivalentAddressGroup} per instance gRPC can dial, carrying its weight and tags, or
   * {@code UNAVAILABLE} when none is left. May block on DNS when a registered host is a name rather
   * than an IP literal (it is a literal whenever a registry of this project or the Go extension
   * wrote it): never call it on gRPC's synchronization context.
   *
   * @param warned addresses already warned about, so a bad instance is logged once per resolver
   */
  static StatusOr<List<EquivalentAddressGroup>> toAddressGroups(
      String service, List<Instance> instances, Set<String> warned) {
    if (instances.isEmpty()) {
      return StatusOr.fromStatus(
          Status.UNAVAILABLE.withDescription("no instance remains for " + service));
    }
    List<EquivalentAddressGroup> groups = new ArrayList<>(instances.size());
    String lastProblem = null;
    for (Instance instance : instances) {
      String problem;
      try {
        SocketAddress address = instance.socketAddress();
        if (address instanceof InetSocketAddress inet) {
          // For an IP literal this parses without any lookup; for a name it asks DNS, once per
          // change.
          InetSocketAddress resolved = new InetSocketAddress(inet.getHostString(), inet.getPort());
          if (!resolved.isUnresolved()) {
            groups.add(new EquivalentAddressGroup(resolved, attributes(instance)));
            continue;
          }
          problem = "its host " + inet.getHostString() + " does not resolve";
        } else {
          problem = "gRPC-Java's transports here dial TCP only, not network " + instance.network();
        }
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
      lastProblem = "instance " + instance.address() + " of " + service + ": " + problem;
      if (warned.add(instance.network() + "/" + instance.address())) {
        log.warn("Skipping {}", lastProblem);
      }
    }
    if (groups.isEmpty()) {
      return StatusOr.fromStatus(
          Status.UNAVAILABLE.withDescription(
              "no instance of "
                  + service
                  + " can be dialed ("
                  + instances.size()
                  + " registered; "
                  + lastProblem
                  + ")"));
    }
    return StatusOr.fromValue(List.copyOf(groups));
  }

  private static Attributes attributes(Instance instance) {
    return Attributes.newBuilder()
        .set(EtcdAttributes.WEIGHT, instance.weight())
        .set(EtcdAttributes.TAGS, instance.tags())
        .build();
  }
}
