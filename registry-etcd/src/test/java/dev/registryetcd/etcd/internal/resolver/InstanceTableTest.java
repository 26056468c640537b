package dev.registryetcd.etcd.internal.resolver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Diff;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.etcd.internal.watch.Kv;
import dev.registryetcd.etcd.internal.watch.KvEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The change built from a batch's events, without etcd, against the whole-list diff. */
class InstanceTableTest {
  private static final String PREFIX = "kitex/registry-etcd/echo/";

  private final List<String> skipped = new ArrayList<>();
  private final InstanceTable table =
      new InstanceTable("echo", PREFIX, 10, (key, why) -> skipped.add(key));

  @Test
  void aPutOfANewKeyIsAnAddition() {
    Change change = table.apply(List.of(put("a", "10.0.0.1:8888", 5)), table.replaceAll(List.of()));

    assertThat(change.added()).containsExactly(instance("10.0.0.1:8888", 5));
    assertThat(change.updated()).isEmpty();
    assertThat(change.removed()).isEmpty();
    assertThat(change.result().instances()).containsExactly(instance("10.0.0.1:8888", 5));
    assertThat(change.result().cacheKey()).isEqualTo("echo");
  }

  @Test
  void aPutOfAKnownKeyWithAnotherInstanceIsAnUpdateAndWithTheSameNothing() {
    Result before = table.replaceAll(List.of(kv("a", "10.0.0.1:8888", 5)));

    Change same = table.apply(List.of(put("a", "10.0.0.1:8888", 5)), before);
    Change heavier = table.apply(List.of(put("a", "10.0.0.1:8888", 7)), same.result());

    assertThat(same.isEmpty()).isTrue();
    assertThat(heavier.updated()).containsExactly(instance("10.0.0.1:8888", 7));
    assertThat(heavier.added()).isEmpty();
    assertThat(heavier.removed()).isEmpty();
  }

  @Test
  void aDeletionIsARemovalOfTheOldInstanceAndOfAnUnknownKeyNothing() {
    Result before = table.replaceAll(List.of(kv("a", "10.0.0.1:8888", 5)));

    Change unknown = table.apply(List.of(delete("b")), before);
    Change gone = table.apply(List.of(delete("a")), unknown.result());

    assertThat(unknown.isEmpty()).isTrue();
    assertThat(gone.removed()).containsExactly(instance("10.0.0.1:8888", 5));
    assertThat(gone.result().instances()).isEmpty();
  }

  @Test
  void aValueThatDoesNotDecodeIsSkippedWithOneWarningAndRemovesWhatTheKeyHeld() {
    Result before = table.replaceAll(List.of(kv("a", "10.0.0.1:8888", 5)));
    KvEvent garbage = new KvEvent(KvEvent.Type.PUT, raw("a", "{not json", 42));

    Change change = table.apply(List.of(garbage), before);
    Change again = table.apply(List.of(garbage), change.result());

    assertThat(change.removed()).containsExactly(instance("10.0.0.1:8888", 5));
    assertThat(again.isEmpty()).isTrue();
    assertThat(skipped).containsExactly(PREFIX + "a");
  }

  @Test
  void aKeyPutAndDeletedInOneBatchChangesNothing() {
    Result before = table.replaceAll(List.of());

    Change change = table.apply(List.of(put("a", "10.0.0.1:8888", 5), delete("a")), before);

    assertThat(change.isEmpty()).isTrue();
  }

  @Test
  void anAddressMovingFromOneKeyToAnotherIsAnUpdateNotARemovalAndAnAddition() {
    Result before = table.replaceAll(List.of(kv("a", "10.0.0.1:8888", 5)));

    Change change = table.apply(List.of(delete("a"), put("b", "10.0.0.1:8888", 6)), before);

    assertThat(change).isEqualTo(Diff.defaultDiff("echo", before, change.result()));
    assertThat(change.updated()).containsExactly(instance("10.0.0.1:8888", 6));
    assertThat(change.added()).isEmpty();
    assertThat(change.removed()).isEmpty();
  }

  @Test
  void twoKeysHoldingOneAddressGiveTheWholeListDiff() {
    Result before = table.replaceAll(List.of(kv("a", "10.0.0.1:8888", 5)));

    Change change = table.apply(List.of(put("b", "10.0.0.1:8888", 6)), before);

    assertThat(change).isEqualTo(Diff.defaultDiff("echo", before, change.result()));
  }

  @Test
  void aValueNamingNoAddressIsSkippedOnceAndLaterChangesReportNoUpdate() {
    Result before = table.replaceAll(List.of(kv("a", "10.0.0.1:8888", 5), raw("b", "null", 6)));

    Change emptyAddress =
        table.apply(
            List.of(
                new KvEvent(
                    KvEvent.Type.PUT,
                    raw(
                        "c",
                        "{\"network\":\"tcp\",\"address\":\"\",\"weight\":1,\"tags\":null}",
                        7))),
            before);
    Change heavier = table.apply(List.of(put("a", "10.0.0.1:8888", 7)), emptyAddress.result());

    assertThat(before.instances()).containsExactly(instance("10.0.0.1:8888", 5));
    assertThat(emptyAddress.isEmpty()).isTrue();
    assertThat(heavier.updated()).containsExactly(instance("10.0.0.1:8888", 7));
    assertThat(heavier.added()).isEmpty();
    assertThat(heavier.removed()).isEmpty();
    assertThat(skipped).containsExactly(PREFIX + "b", PREFIX + "c");
  }

  @Test
  void theKeyWithNothingAfterTheServiceIsAnInstanceAsInGo() {
    Result read = table.replaceAll(List.of(new Kv(PREFIX, kv("x", "10.0.0.2:1", 3).value(), 5, 0)));

    assertThat(read.instances()).containsExactly(instance("10.0.0.2:1", 3));
  }

  /**
   * Any batch of puts (some of garbage) and deletions over a few keys and fewer addresses, so that
   * keys often share an address, and often are named after their address (as registries write them,
   * where the table builds the change from the touched keys alone): the change is exactly the
   * whole-list diff, and the instances those of a fresh read of the same keys.
   */
  @Property(tries = 300)
  void everyBatchGivesTheChangeTheWholeListDiffGives(
      @ForAll("batches") List<List<KvEvent>> batches) {
    Map<String, Kv> store = new TreeMap<>();
    Result current = table.replaceAll(List.of());
    for (List<KvEvent> batch : batches) {
      for (KvEvent event : batch) {
        if (event.type() == KvEvent.Type.PUT) {
          store.put(event.kv().key(), event.kv());
        } else {
          store.remove(event.kv().key());
        }
      }
      Result fresh =
          new InstanceTable("echo", PREFIX, 10, (key, why) -> {})
              .replaceAll(List.copyOf(store.values()));

      Change change = table.apply(batch, current);

      assertThat(change.result()).isEqualTo(fresh);
      assertThat(change).isEqualTo(Diff.defaultDiff("echo", current, fresh));
      current = change.result();
    }
  }

  @Provide
  Arbitrary<List<List<KvEvent>>> batches() {
    Arbitrary<String> addresses = Arbitraries.of("10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1");
    Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of("a", "b"), addresses);
    Arbitrary<Integer> weights = Arbitraries.integers().between(-1, 3);
    Arbitrary<KvEvent> anyPuts =
        net.jqwik.api.Combinators.combine(keys, addresses, weights)
            .as((key, address, weight) -> new KvEvent(KvEvent.Type.PUT, kv(key, address, weight)));
    Arbitrary<KvEvent> namedPuts =
        net.jqwik.api.Combinators.combine(addresses, weights)
            .as((address, weight) -> new KvEvent(KvEvent.Type.PUT, kv(address, address, weight)));
    Arbitrary<KvEvent> garbage = keys.map(key -> new KvEvent(KvEvent.Type.PUT, raw(key, "[]", 7)));
    Arbitrary<KvEvent> deletes = keys.map(InstanceTableTest::delete);
    Arbitrary<KvEvent> events =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(2, anyPuts),
            net.jqwik.api.Tuple.of(4, namedPuts),
            net.jqwik.api.Tuple.of(1, garbage),
            net.jqwik.api.Tuple.of(3, deletes));
    return events.list().ofMinSize(1).ofMaxSize(6).list().ofMaxSize(8);
  }

  private KvEvent put(String key, String address, int weight) {
    return new KvEvent(KvEvent.Type.PUT, kv(key, address, weight));
  }

  private static KvEvent delete(String key) {
    return new KvEvent(KvEvent.Type.DELETE, new Kv(PREFIX + key, new byte[0], 99, 0));
  }

  private static Kv kv(String key, String address, int weight) {
    byte[] value = InstanceCodec.encode(new Instance("tcp", address, weight, Map.of("k", "v")));
    return new Kv(PREFIX + key, value, 5, 0);
  }

  private static Kv raw(String key, String value, long modRevision) {
    return new Kv(PREFIX + key, value.getBytes(StandardCharsets.UTF_8), modRevision, 0);
  }

  private static Instance instance(String address, int weight) {
    return new Instance("tcp", address, weight, Map.of("k", "v"));
  }
}
