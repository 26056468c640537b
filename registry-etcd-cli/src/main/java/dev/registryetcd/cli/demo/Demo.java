package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.cli.InstanceText;
import dev.registryetcd.cli.demo.ChangeLog.Received;
import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import dev.registryetcd.testkit.EtcdMember;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The demo's steps, run once against one etcd. Each number it prints is measured in this run with
 * {@link System#nanoTime()}; each claim it makes is checked, and a failed check ends the demo with
 * an {@link IllegalStateException} saying what did not happen.
 *
 * <p>Three jetcd clients, as three processes would have: the registry's, the resolver's, and a raw
 * one that plays the Go service and inspects etcd. Not thread-safe; closes everything it opens.
 */
final class Demo {
  private static final String SERVICE = "echo";
  private static final Duration LEASE_TTL = Duration.ofSeconds(5);
  private static final Duration RETRY_DELAY = Duration.ofMillis(500);
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration RECOVERY_WAIT = Duration.ofSeconds(15);

  private final Narration say;
  private final EtcdTarget target;
  private final EtcdMember ownEtcd;
  private final ChangeLog changes = new ChangeLog();
  private Client raw;
  private EtcdRegistry registry;
  private EtcdResolver resolver;

  /**
   * @param ownEtcd the demo's own etcd, which it may wipe, or {@code null} for the user's etcd
   */
  Demo(Narration say, EtcdTarget target, EtcdMember ownEtcd) {
    this.say = say;
    this.target = target;
    this.ownEtcd = ownEtcd;
  }

  void run() throws InterruptedException {
    RetryConfig retry = RetryConfig.newRetryConfig(
        RetryConfig.withMaxAttemptTimes(0),
        RetryConfig.withRetryDelay(RETRY_DELAY),
        RetryConfig.withObserveDelay(Duration.ofSeconds(1)));
    try (Client rawClient = target.newClient()) {
      raw = rawClient;
      registry = target.registry()
          .retryConfig(retry)
          .options(Option.withLeaseTtl(LEASE_TTL))
          .environment(name -> null) // the addresses narrated are the ones registered, whatever KITEX_* says
          .build();
      resolver = target.newResolver();
      try {
        Info first = instance("10.0.0.7", 10, "zone", "a", "env", "demo");
        Info second = instance("10.0.0.8", 20, "zone", "b");
        registerTwo(first, second);
        Subscription subscription = resolveAndSubscribe();
        try {
          updateAndRemove(first, second);
          goServiceAndGarbage();
          if (ownEtcd != null) {
            wipeEtcd(second);
          } else {
            say.heading("5. etcd loses its data");
            say.line("(skipped: the demo wipes etcd only when it runs its own; run it without --endpoints)");
          }
          closeRegistry(second);
        } finally {
          subscription.close();
        }
      } finally {
        resolver.close();
        registry.close();
        if (ownEtcd == null) {
          delete(target.rootKey(), true);
        }
      }
    }
  }

  // ---- the steps ----

  private void registerTwo(Info first, Info second) {
    say.heading("1. A Java service registers " + SERVICE + " twice (EtcdRegistry)");
    String note = "  (the first call connects and grants the lease)";
    for (Info info : List.of(first, second)) {
      Timed call = timed(() -> registry.register(info));
      say.line("registry.register(%s)  returned in %s%s", describe(info), Narration.time(call.took()), note);
      note = "";
    }
    say.line("etcd now holds ({prefix}/{service}/{address} -> the Go extension's JSON):");
    GetResponse stored = get(target.serviceKey(SERVICE), true);
    long lease = 0;
    for (KeyValue kv : stored.getKvs()) {
      String value = text(kv.getValue());
      say.item("%s", text(kv.getKey()));
      say.item("  %s", value);
      lease = kv.getLease();
    }
    for (Info info : List.of(first, second)) {
      String key = target.serviceKey(SERVICE) + address(info);
      KeyValue kv = stored.getKvs().stream().filter(k -> text(k.getKey()).equals(key)).findFirst()
          .orElseThrow(() -> new IllegalStateException("demo: " + key + " is not in etcd after register returned"));
      byte[] go = goJson(address(info), info.weight(), info.tags()).getBytes(StandardCharsets.UTF_8);
      if (!Arrays.equals(kv.getValue().getBytes(), go)) {
        throw new IllegalStateException("demo: the value of " + key + " differs from what Go writes: "
            + text(kv.getValue()) + " vs " + new String(go, StandardCharsets.UTF_8));
      }
    }
    long keysOnLease = stored.getKvs().stream().map(KeyValue::getLease).distinct().count();
    say.line("checked: each value is byte for byte what the Go extension's json.Marshal of instanceInfo writes "
        + "(fields in order, tags sorted by key); %s on %s lease (%x, TTL %ss)",
        stored.getKvs().size() == 2 ? "both keys" : stored.getKvs().size() + " keys",
        keysOnLease == 1 ? "one" : keysOnLease + " different", lease, LEASE_TTL.toSeconds());
  }

  private Subscription resolveAndSubscribe() throws InterruptedException {
    say.heading("2. A client resolves " + SERVICE + " (EtcdResolver) and subscribes to its changes");
    long start = System.nanoTime();
    Result result = resolver.resolve(SERVICE);
    long firstCall = System.nanoTime() - start;
    say.line("resolver.resolve(\"%s\")  read etcd once and started a watch: %s, %d instances:", SERVICE,
        Narration.time(firstCall), result.instances().size());
    for (Instance instance : result.instances()) {
      say.item("%s", InstanceText.describe(instance));
    }
    long[] calls = new long[1_000];
    for (int i = 0; i < calls.length; i++) {
      long t = System.nanoTime();
      resolver.resolve(SERVICE);
      calls[i] = System.nanoTime() - t;
    }
    Arrays.sort(calls);
    say.line("resolver.resolve(\"%s\")  again, from the watch-backed cache: %s (median of %,d calls), "
        + "no request to etcd", SERVICE, Narration.time(calls[calls.length / 2]), calls.length);
    Subscription subscription = resolver.subscribe(SERVICE, changes);
    Received initial = changes.next(WAIT);
    if (initial == null || initial.change() == null) {
      throw new IllegalStateException("demo: the subscriber got no initial instances within " + WAIT.toSeconds() + "s");
    }
    say.line("resolver.subscribe(\"%s\", listener)  the listener starts with the current instances:", SERVICE);
    for (Instance instance : initial.change().added()) {
      say.item("%s", InstanceText.line('+', SERVICE, instance));
    }
    say.line("from now on the listener prints each change, with how long after the call returned it arrived");
    return subscription;
  }

  private void updateAndRemove(Info first, Info second) throws InterruptedException {
    say.heading("3. A weight changes, then an instance leaves");
    Info heavier = second.toBuilder().weight(50).build();
    Timed update = timed(() -> registry.register(heavier));
    say.line("registry.register(%s)  returned in %s", describe(heavier), Narration.time(update.took()));
    awaitChange(update, change -> change.updated().stream()
        .anyMatch(i -> i.address().equals(address(second)) && i.weight() == 50), "the update of " + address(second));
    Timed removal = timed(() -> registry.deregister(first));
    say.line("registry.deregister(%s %s)  returned in %s", SERVICE, address(first), Narration.time(removal.took()));
    awaitChange(removal, change -> change.removed().stream().anyMatch(i -> i.address().equals(address(first))),
        "the removal of " + address(first));
  }

  private void goServiceAndGarbage() throws InterruptedException {
    say.heading("4. A Go service's registration, and a value that is not one");
    String goAddress = "10.0.0.9:8888";
    String goKey = target.serviceKey(SERVICE) + goAddress;
    String goValue = "{\"network\":\"tcp\",\"address\":\"" + goAddress + "\",\"weight\":0,\"tags\":null}";
    String junkKey = target.serviceKey(SERVICE) + "10.0.0.66:8888";
    String junkValue = "{\"network\":\"tcp\",\"address\":";
    Timed junk = timed(() -> put(junkKey, junkValue));
    say.line("put %s = %s  (a broken value) in %s", junkKey, junkValue, Narration.time(junk.took()));
    Timed go = timed(() -> put(goKey, goValue));
    say.line("put %s = %s  (a raw put of exactly what the Go extension writes: weight 0, no tags) in %s", goKey,
        goValue, Narration.time(go.took()));
    awaitChange(go, change -> change.added().stream().anyMatch(i -> i.address().equals(goAddress)),
        "the Go service's instance");
    Instance goInstance = resolver.resolve(SERVICE).instances().stream()
        .filter(i -> i.address().equals(goAddress)).findFirst()
        .orElseThrow(() -> new IllegalStateException("demo: the resolver does not list " + goAddress));
    say.line("the Go service's weight 0 resolves as the default weight %d, as in Go", goInstance.weight());
    String reason;
    try {
      InstanceCodec.decode(junkValue.getBytes(StandardCharsets.UTF_8));
      throw new IllegalStateException("demo: the broken value decoded");
    } catch (MalformedInstanceException e) {
      reason = e.getMessage();
    }
    Result now = resolver.resolve(SERVICE);
    if (now.instances().stream().anyMatch(i -> i.address().equals("10.0.0.66:8888"))) {
      throw new IllegalStateException("demo: the resolver lists the broken value as an instance");
    }
    say.line("! %s: not an instance (%s)", junkKey, reason);
    say.line("  the resolver skipped it with a warning (on stderr), no error for the service: it saw it before the Go "
        + "value, and %s resolves to %d instances: %s", SERVICE, now.instances().size(), addresses(now));
    Timed goStops = timed(() -> delete(goKey, false));
    say.line("the Go service stops: delete %s in %s", goKey, Narration.time(goStops.took()));
    awaitChange(goStops, change -> change.removed().stream().anyMatch(i -> i.address().equals(goAddress)),
        "the removal of the Go service's instance");
    delete(junkKey, false);
  }

  private void wipeEtcd(Info remaining) throws InterruptedException {
    say.heading("5. etcd loses all its data; the registry puts its instance back on its own");
    String key = target.serviceKey(SERVICE) + address(remaining);
    long leaseBefore = get(key, false).getKvs().get(0).getLease();
    long start = System.nanoTime();
    ownEtcd.wipe();
    long back = System.nanoTime();
    say.line("wiped etcd: stopped it, deleted its data directory, started it empty, in %s",
        Narration.time(back - start));
    long deadline = back + RECOVERY_WAIT.toNanos();
    KeyValue restored = null;
    int seenEmpty = 0;
    while (restored == null && System.nanoTime() < deadline) {
      GetResponse now = getOrNull(key);
      if (now != null && !now.getKvs().isEmpty()) {
        restored = now.getKvs().get(0);
      } else {
        seenEmpty += now == null ? 0 : 1;
        Thread.sleep(10); // polling etcd, bounded by RECOVERY_WAIT
      }
    }
    long reput = System.nanoTime();
    if (restored == null) {
      throw new IllegalStateException("demo: the registry did not put " + key + " back within "
          + RECOVERY_WAIT.toSeconds() + "s after etcd lost its data");
    }
    if (seenEmpty > 0) {
      say.line("read %s: gone, etcd is empty", key);
    }
    say.line("the registry put %s back on its own %s after etcd came back (lease %x -> %x; retry delay %s ms, "
        + "lease TTL %s s)", key, Narration.time(reput - back), leaseBefore, restored.getLease(),
        RETRY_DELAY.toMillis(), LEASE_TTL.toSeconds());
    // The resolver may have read the empty etcd (a removal, then the instance back) or only the restored
    // one (no change at all): narrate what it reported.
    boolean sawRemoval = false;
    boolean sawReturn = false;
    long quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    long hardDeadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < hardDeadline && !sawReturn && (sawRemoval || System.nanoTime() < quietUntil)) {
      Received received = changes.next(Duration.ofMillis(50));
      if (received == null) {
        continue;
      }
      if (received.error() != null) {
        say.item("listener: the resolver lost etcd (%s) and keeps serving what it knew  [+%s]",
            received.error().getClass().getSimpleName(), Narration.time(received.nanos() - back));
        continue;
      }
      printChange(received.change(), "+" + Narration.time(received.nanos() - back) + " after etcd came back");
      sawRemoval |= received.change().removed().stream().anyMatch(i -> i.address().equals(address(remaining)));
      sawReturn |= sawRemoval && received.change().added().stream()
          .anyMatch(i -> i.address().equals(address(remaining)));
      if (sawReturn) {
        say.line("the resolver followed: it dropped %s while etcd was empty and got it back %s after etcd came back",
            address(remaining), Narration.time(received.nanos() - back));
      }
    }
    if (sawRemoval && !sawReturn) {
      throw new IllegalStateException("demo: the resolver did not get " + address(remaining) + " back within "
          + WAIT.toSeconds() + "s");
    }
    if (!sawRemoval) {
      // Had the resolver read etcd while it was empty, it would have reported a removal.
      say.line("the resolver reported no change: it kept serving %s from its cache and read etcd again only once "
          + "the instance was back", address(remaining));
    }
    say.line("resolver.resolve(\"%s\"): %s", SERVICE, addresses(resolver.resolve(SERVICE)));
  }

  private void closeRegistry(Info remaining) throws InterruptedException {
    say.heading("6. The service shuts down: registry.close()");
    long lease = registry.leaseId();
    Timed close = timed(registry::close);
    int left = get(target.serviceKey(SERVICE), true).getKvs().size();
    say.line("registry.close()  revoked lease %x in %s; keys under %s right after: %d", lease,
        Narration.time(close.took()), target.serviceKey(SERVICE), left);
    if (left != 0) {
      throw new IllegalStateException("demo: " + left + " key(s) remain after the registry closed");
    }
    awaitChange(close, change -> change.removed().stream().anyMatch(i -> i.address().equals(address(remaining))),
        "the removal of " + address(remaining));
    try {
      resolver.resolve(SERVICE);
      throw new IllegalStateException("demo: the resolver still resolves " + SERVICE + " after the registry closed");
    } catch (NoInstanceException e) {
      say.line("resolver.resolve(\"%s\"): %s", SERVICE, e.getMessage());
    }
  }

  // ---- narration helpers ----

  /** Prints every change until one matches {@code expected}; each with its arrival time relative to {@code call}. */
  private void awaitChange(Timed call, Predicate<Change> expected, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Received received = left > 0 ? changes.next(Duration.ofNanos(left)) : null;
      if (received == null) {
        throw new IllegalStateException("demo: the listener did not get " + what + " within " + WAIT.toSeconds() + "s");
      }
      if (received.error() != null) {
        say.item("listener: the resolver lost etcd (%s)", received.error().getMessage());
        continue;
      }
      printChange(received.change(), arrival(call, received.nanos()));
      if (expected.test(received.change())) {
        return;
      }
    }
  }

  private void printChange(Change change, String when) {
    for (Instance instance : change.added()) {
      say.item("listener: %s  [%s]", InstanceText.line('+', SERVICE, instance), when);
    }
    for (Instance instance : change.updated()) {
      say.item("listener: %s  [%s]", InstanceText.line('~', SERVICE, instance), when);
    }
    for (Instance instance : change.removed()) {
      say.item("listener: %s  [%s]", InstanceText.line('-', SERVICE, instance), when);
    }
  }

  /** When a change arrived, relative to the call that caused it; the watch may beat the call's own answer. */
  private static String arrival(Timed call, long nanos) {
    long afterReturn = nanos - call.returned();
    if (afterReturn >= 0) {
      return "arrived " + Narration.time(afterReturn) + " after the call returned";
    }
    return "arrived " + Narration.time(-afterReturn) + " before the call returned, "
        + Narration.time(nanos - call.began()) + " after it began";
  }

  private static String describe(Info info) {
    return SERVICE + " " + address(info) + " weight=" + info.weight() + " tags=" + InstanceText.tags(info.tags());
  }

  private static String addresses(Result result) {
    StringBuilder text = new StringBuilder();
    for (Instance instance : result.instances()) {
      text.append(text.length() == 0 ? "" : ", ").append(instance.address()).append(" (weight ")
          .append(instance.weight()).append(')');
    }
    return text.toString();
  }

  /**
   * What Go's {@code json.Marshal} writes for the extension's {@code instanceInfo} with these plain
   * ASCII values, spelled out by hand rather than by our codec, so that the check is not circular.
   */
  private static String goJson(String address, int weight, Map<String, String> tags) {
    StringBuilder json = new StringBuilder("{\"network\":\"tcp\",\"address\":\"").append(address)
        .append("\",\"weight\":").append(weight).append(",\"tags\":");
    if (tags == null) {
      return json.append("null}").toString();
    }
    json.append('{');
    String separator = "";
    for (Map.Entry<String, String> tag : new TreeMap<>(tags).entrySet()) { // Go sorts map keys
      json.append(separator).append('"').append(tag.getKey()).append("\":\"").append(tag.getValue()).append('"');
      separator = ",";
    }
    return json.append("}}").toString();
  }

  // ---- etcd, as the Go service and the inspector ----

  private static Info instance(String host, int weight, String... tags) {
    Map<String, String> tagMap = new LinkedHashMap<>();
    for (int i = 0; i < tags.length; i += 2) {
      tagMap.put(tags[i], tags[i + 1]);
    }
    return Info.builder().serviceName(SERVICE).address(new InetSocketAddress(host, 8888)).weight(weight)
        .tags(tagMap).build();
  }

  private static String address(Info info) {
    InetSocketAddress address = (InetSocketAddress) info.address();
    return address.getHostString() + ":" + address.getPort();
  }

  private GetResponse get(String key, boolean prefix) {
    return await(raw.getKVClient().get(bytes(key), GetOption.builder().isPrefix(prefix).build()), "read " + key);
  }

  /** A read while etcd may be restarting: {@code null} when it does not answer yet. */
  private GetResponse getOrNull(String key) {
    try {
      return raw.getKVClient().get(bytes(key)).get(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException notYet) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void put(String key, String value) {
    await(raw.getKVClient().put(bytes(key), bytes(value)), "put " + key);
  }

  private void delete(String key, boolean prefix) {
    await(raw.getKVClient().delete(bytes(key), DeleteOption.builder().isPrefix(prefix).build()), "delete " + key);
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("demo: interrupted during " + what, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RegistryException(what + ": " + e, e);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static Timed timed(Runnable call) {
    long began = System.nanoTime();
    call.run();
    return new Timed(began, System.nanoTime());
  }

  /** When a call began and returned, by {@link System#nanoTime()}. */
  private record Timed(long began, long returned) {
    long took() {
      return returned - began;
    }
  }
}
