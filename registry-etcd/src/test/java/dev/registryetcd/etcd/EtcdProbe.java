package dev.registryetcd.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A test's own view of etcd through a separate jetcd client, to check what the registry wrote. */
final class EtcdProbe implements AutoCloseable {
  private final Client client;

  EtcdProbe(List<String> endpoints) {
    this.client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build();
  }

  Client client() {
    return client;
  }

  /** The value under {@code key} as text, or {@code null}. */
  String value(String key) {
    KeyValue kv = kv(key);
    return kv == null ? null : kv.getValue().toString(StandardCharsets.UTF_8);
  }

  KeyValue kv(String key) {
    List<KeyValue> kvs =
        get(ByteSequence.from(key, StandardCharsets.UTF_8), GetOption.DEFAULT).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0);
  }

  /** Every key under {@code prefix} with its lease. */
  Map<String, Long> leasesUnder(String prefix) {
    Map<String, Long> leases = new LinkedHashMap<>();
    for (KeyValue kv :
        get(
                ByteSequence.from(prefix, StandardCharsets.UTF_8),
                GetOption.builder().isPrefix(true).build())
            .getKvs()) {
      leases.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getLease());
    }
    return leases;
  }

  /** The lease's remaining TTL in seconds; -1 when etcd does not know it. */
  long ttlOf(long leaseId) {
    try {
      return client
          .getLeaseClient()
          .timeToLive(leaseId, LeaseOption.DEFAULT)
          .get(10, TimeUnit.SECONDS)
          .getTTL();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  void delete(String key) {
    try {
      client
          .getKVClient()
          .delete(ByteSequence.from(key, StandardCharsets.UTF_8))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Puts {@code value} under {@code key}; returns the revision of the put. */
  long put(String key, byte[] value) {
    try {
      return client
          .getKVClient()
          .put(
              ByteSequence.from(key, StandardCharsets.UTF_8),
              ByteSequence.from(value),
              PutOption.DEFAULT)
          .get(10, TimeUnit.SECONDS)
          .getHeader()
          .getRevision();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Compacts etcd's history up to {@code revision}: watches from before it fail. */
  void compact(long revision) {
    try {
      client.getKVClient().compact(revision).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private io.etcd.jetcd.kv.GetResponse get(ByteSequence key, GetOption option) {
    try {
      return client.getKVClient().get(key, option).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
