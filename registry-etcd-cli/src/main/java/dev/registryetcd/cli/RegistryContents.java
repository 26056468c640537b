package dev.registryetcd.cli;

import dev.registryetcd.cli.StoredValue.Skipped;
import dev.registryetcd.cli.StoredValue.StoredInstance;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * What etcd holds under a key range, read once: the instances in key order with their leases'
 * seconds left, and the values that are not instances.
 *
 * @param instances instances in key order (so grouped by service)
 * @param skipped values that are not instances, in key order
 * @param revision the etcd revision the read saw
 */
record RegistryContents(List<StoredInstance> instances, List<Skipped> skipped, long revision) {

  RegistryContents {
    instances = List.copyOf(instances);
    skipped = List.copyOf(skipped);
  }

  /**
   * Reads every key under {@code range} (e.g. {@code kitex/registry-etcd/} or {@code
   * kitex/registry-etcd/echo/}) and the TTL of each lease found, each request bounded by the dial
   * timeout.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd does not answer
   */
  static RegistryContents read(Client client, EtcdTarget target, String range) {
    GetResponse response =
        EtcdRequests.await(
            client.getKVClient().get(bytes(range), GetOption.builder().isPrefix(true).build()),
            target.dialTimeout(),
            "read " + range);
    List<StoredValue> values = new ArrayList<>();
    for (KeyValue kv : response.getKvs()) {
      values.add(
          StoredValue.decode(
              target.prefix(),
              kv.getKey().toString(StandardCharsets.UTF_8),
              kv.getValue().getBytes(),
              kv.getLease()));
    }
    // One registry holds one lease for all its keys: few distinct leases, asked about at once.
    Map<Long, CompletableFuture<LeaseTimeToLiveResponse>> ttls = new LinkedHashMap<>();
    for (StoredValue value : values) {
      if (value instanceof StoredInstance instance && instance.leaseId() != 0) {
        ttls.computeIfAbsent(
            instance.leaseId(), id -> client.getLeaseClient().timeToLive(id, LeaseOption.DEFAULT));
      }
    }
    List<StoredInstance> instances = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (StoredValue value : values) {
      if (value instanceof StoredInstance instance) {
        OptionalLong ttl = OptionalLong.empty();
        if (instance.leaseId() != 0) {
          long seconds =
              EtcdRequests.await(
                      ttls.get(instance.leaseId()),
                      target.dialTimeout(),
                      "read the TTL of lease " + Long.toHexString(instance.leaseId()))
                  .getTTL();
          ttl = OptionalLong.of(Math.max(0, seconds)); // -1: expired this very moment
        }
        instances.add(instance.withTtl(ttl));
      } else {
        skipped.add((Skipped) value);
      }
    }
    return new RegistryContents(instances, skipped, response.getHeader().getRevision());
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
