package dev.registryetcd.cli.demo;

import static dev.registryetcd.cli.demo.DemoEtcd.text;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.grpc.GrpcRegistration;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Step 1's checks of what etcd holds: the three registrations are byte for byte the Go extension's
 * JSON, on the leases expected; and a Go service's raw registration resolves as in Go.
 */
final class GoFormatCheck {
  private static final String GO_SERVICE = "hello";

  private final Narration say;
  private final EtcdTarget target;
  private final DemoEtcd etcd;
  private final String service;

  GoFormatCheck(Narration say, EtcdTarget target, DemoEtcd etcd, String service) {
    this.say = say;
    this.target = target;
    this.etcd = etcd;
    this.service = service;
  }

  /**
   * a and b registered by {@code registry} with weights 1 and 2 on one lease, c at {@code cAddress}
   * with weight 3 on its own lease {@code cLease}.
   */
  void checkGoFormat(
      EtcdRegistry registry,
      GrpcRegistration a,
      GrpcRegistration b,
      String cAddress,
      long cLease,
      Duration leaseTtl,
      Duration childLeaseTtl) {
    GetResponse stored = etcd.get(target.serviceKey(service), true);
    Map<String, KeyValue> byKey = new TreeMap<>();
    stored.getKvs().forEach(kv -> byKey.put(text(kv.getKey()), kv));
    String aKey = registry.keyOf(a.infos().get(0));
    KeyValue aValue = byKey.get(aKey);
    if (aValue == null) {
      throw new IllegalStateException("demo: " + aKey + " is not in etcd after a registered");
    }
    say.line(
        "etcd holds each instance as {prefix}/{service}/{address} -> the Go extension's JSON, e.g. a:");
    say.item("%s", aKey);
    say.item("  %s", text(aValue.getValue()));
    Map<String, Integer> weights = Map.of(Demo.address(a), 1, Demo.address(b), 2, cAddress, 3);
    Map<String, String> names = Map.of(Demo.address(a), "a", Demo.address(b), "b", cAddress, "c");
    for (Map.Entry<String, Integer> instance : weights.entrySet()) {
      String key = target.serviceKey(service) + instance.getKey();
      KeyValue kv = byKey.get(key);
      byte[] go =
          goJson(instance.getKey(), instance.getValue(), names.get(instance.getKey()))
              .getBytes(StandardCharsets.UTF_8);
      if (kv == null || !Arrays.equals(kv.getValue().getBytes(), go)) {
        throw new IllegalStateException(
            "demo: the value of "
                + key
                + " is not what Go writes, "
                + new String(go, StandardCharsets.UTF_8)
                + ": "
                + (kv == null ? "no such key" : text(kv.getValue())));
      }
    }
    long aLease = aValue.getLease();
    long bLease = byKey.get(target.serviceKey(service) + Demo.address(b)).getLease();
    long cLeaseStored = byKey.get(target.serviceKey(service) + cAddress).getLease();
    if (aLease != bLease || aLease == cLeaseStored || cLeaseStored != cLease) {
      throw new IllegalStateException(
          "demo: expected a and b on one lease and c on its own "
              + Long.toHexString(cLease)
              + ", found "
              + Long.toHexString(aLease)
              + ", "
              + Long.toHexString(bLease)
              + ", "
              + Long.toHexString(cLeaseStored));
    }
    say.line(
        "checked: all three values are byte for byte what the Go extension's json.Marshal writes (fields in "
            + "order, tags sorted); a and b share this process's lease (%x, TTL %s), c has its own (%x, TTL %s)",
        aLease, DurationText.format(leaseTtl), cLease, DurationText.format(childLeaseTtl));
  }

  /** Puts a Go service's registration raw and resolves it: weight 0 becomes the default 10. */
  void goService(EtcdResolver resolver) {
    String address = "127.0.0.1:8888";
    String key = target.serviceKey(GO_SERVICE) + address;
    String value =
        "{\"network\":\"tcp\",\"address\":\"" + address + "\",\"weight\":0,\"tags\":null}";
    etcd.put(key, value);
    say.line(
        "a Go service's registration, put raw as the Go extension writes it (weight 0, no tags):");
    say.item("%s = %s", key, value);
    Instance go = resolver.resolve(GO_SERVICE).instances().get(0);
    if (go.weight() != 10) {
      throw new IllegalStateException(
          "demo: weight 0 resolved as " + go.weight() + ", not the default 10");
    }
    say.line(
        "resolver.resolve(\"%s\"): %s weight=%d: a weight <= 0 resolves as the default weight 10, as in Go",
        GO_SERVICE, go.address(), go.weight());
  }

  /**
   * What Go's {@code json.Marshal} writes for the extension's {@code instanceInfo} with one tag
   * {@code server}, spelled out by hand rather than by our codec, so that the check is not
   * circular.
   */
  private static String goJson(String address, int weight, String server) {
    return "{\"network\":\"tcp\",\"address\":\""
        + address
        + "\",\"weight\":"
        + weight
        + ",\"tags\":{\"server\":\""
        + server
        + "\"}}";
  }
}
