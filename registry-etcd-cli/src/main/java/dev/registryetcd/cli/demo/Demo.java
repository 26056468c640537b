package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.cli.ListCommand;
import dev.registryetcd.cli.demo.ChangeLog.Received;
import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.grpc.EtcdNameResolverProvider;
import dev.registryetcd.grpc.EtcdWeightedRoundRobinLoadBalancerProvider;
import dev.registryetcd.grpc.GrpcRegistration;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The demo's steps, run once against one etcd: three Echo servers register as {@value #SERVICE}
 * with weights 1, 2, 3; a client on {@code etcd:///echo} splits its calls by weight; one server
 * leaves gracefully, one is killed. Each number it prints is measured in this run with {@link
 * System#nanoTime()}; each claim it makes is checked, and a failed check ends the demo with an
 * {@link IllegalStateException} saying what did not happen.
 *
 * <p>Servers a and b run in this JVM and share its {@link EtcdRegistry}: closing a {@link
 * GrpcRegistration} is a method call the demo times exactly. Server c runs in a JVM of its own
 * ({@link ChildServer}), since only another process can be killed for real and leave its key to its
 * lease. Not thread-safe; closes everything it opens.
 */
final class Demo {
  private static final String SERVICE = "echo";
  private static final String GO_SERVICE = "hello";
  private static final String DEFAULT_PREFIX = "kitex/registry-etcd";

  /** a and b: this process's registry. */
  private static final Duration LEASE_TTL = Duration.ofSeconds(10);

  /** c: killed, so it disappears after this; short, so that the demo is. */
  private static final Duration CHILD_LEASE_TTL = Duration.ofSeconds(3);

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);
  private static final int SPLIT_CALLS = 600;

  /** Calls the client makes after a removal, to show it carries on. */
  private static final int CALLS_AFTER = 300;

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration CHILD_START = Duration.ofSeconds(30);

  private final Narration say;
  private final PrintWriter err;
  private final EtcdTarget target;
  private final boolean ownEtcd;
  private final List<String> childOptions;
  private final String childPassword;
  private final ChangeLog changes = new ChangeLog();
  private final List<String> written = new ArrayList<>();
  private Client raw;

  /**
   * @param err where {@code list} reports values that are not instances
   * @param ownEtcd whether the etcd is the demo's own, deleted after it; else the demo deletes its
   *     keys
   * @param childOptions the global options of the child server (see {@code
   *     RegistryEtcdCommand.childOptions})
   * @param childPassword its {@code ETCD_PASSWORD}, or {@code null}
   */
  Demo(
      Narration say,
      PrintWriter err,
      EtcdTarget target,
      boolean ownEtcd,
      List<String> childOptions,
      String childPassword) {
    this.say = say;
    this.err = err;
    this.target = target;
    this.ownEtcd = ownEtcd;
    this.childOptions = childOptions;
    this.childPassword = childPassword;
  }

  void run() throws IOException, InterruptedException {
    // c's JVM starts first: it boots while a and b start here.
    try (ChildServer c = ChildServer.start("c", 3, CHILD_LEASE_TTL, childOptions, childPassword);
        Client rawClient = target.newClient();
        // KITEX_* variables must not move the addresses: the client connects to what is registered.
        EtcdRegistry registry =
            target
                .registry()
                .options(Option.withLeaseTtl(LEASE_TTL))
                .environment(n -> null)
                .build();
        EtcdResolver resolver = target.newResolver();
        EtcdNameResolverProvider provider = EtcdNameResolverProvider.forResolver(resolver)) {
      raw = rawClient;
      List<GrpcRegistration> registrations = new ArrayList<>();
      EchoCaller caller = null;
      ManagedChannel channel = null;
      Subscription subscription = null;
      boolean completed = false;
      try {
        say.heading("1. Three gRPC Echo servers register as " + SERVICE + ", weights 1, 2, 3");
        say.line(
            "c: starting a JVM of its own (pid %d), so that step 4 can kill it for real", c.pid());
        GrpcRegistration a =
            serve("a", 1, registry, "  (the first registration connects and grants the lease)");
        registrations.add(a);
        GrpcRegistration b = serve("b", 2, registry, "");
        registrations.add(b);
        String[] ready = c.awaitReady(CHILD_START).split(" lease=");
        String cAddress = ready[0];
        say.line(
            "c: Netty gRPC server on %s in JVM %d, registered with weight 3 by its own EtcdRegistry (lease TTL "
                + "%s), ready %s after that JVM started",
            cAddress,
            c.pid(),
            DurationText.format(CHILD_LEASE_TTL),
            Narration.time(c.readyAfterNanos()));
        checkGoFormat(registry, a, b, cAddress, Long.parseUnsignedLong(ready[1], 16));
        goService(resolver);

        say.heading("2. A client calls etcd:///" + SERVICE + ": the calls split by weight");
        subscription = resolver.subscribe(SERVICE, changes);
        channel = channel(provider);
        caller = new EchoCaller(channel);
        split(caller);

        say.heading("3. b shuts down gracefully while the client keeps calling");
        caller.start();
        caller.awaitCalls(caller.calls() + 100, WAIT);
        say.line(
            "a client thread calls %s continuously, one call at a time, at most one per millisecond",
            SERVICE);
        gracefulShutdown(caller, b, address(b));

        say.heading("4. c is killed (SIGKILL) and never deregisters");
        kill(caller, c, cAddress);
        caller.close();

        say.heading("5. What etcd holds now, as registry-etcd list prints it");
        say.line(
            "$ registry-etcd list --endpoints %s%s",
            target.endpointsText(),
            target.prefix().equals(DEFAULT_PREFIX) ? "" : " --prefix " + target.prefix());
        ListCommand.print(raw, target, say.writer(), err);
        completed = true;
      } finally {
        if (caller != null) {
          caller.close();
        }
        if (channel != null) {
          channel.shutdownNow();
          channel.awaitTermination(WAIT.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (subscription != null) {
          subscription.close();
        }
        registrations.forEach(GrpcRegistration::close);
        if (!ownEtcd) {
          try {
            deleteDemoKeys();
          } catch (RuntimeException e) {
            if (completed) {
              throw e;
            }
            // the demo failed already: that failure is the one to report
            err.println(
                "registry-etcd demo: could not delete its keys under "
                    + target.rootKey()
                    + ": "
                    + e);
          }
        }
      }
    }
    say.line("");
    say.line(
        "closed the channel, a (deregistered, then stopped), the registry (lease revoked) and the resolver%s",
        ownEtcd ? "" : "; deleted the demo's keys");
  }

  // ---- the steps ----

  private GrpcRegistration serve(String name, int weight, EtcdRegistry registry, String note)
      throws IOException {
    long start = System.nanoTime();
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(Echo.service(name))
            .build()
            .start();
    GrpcRegistration registration;
    try {
      registration =
          GrpcRegistration.builder(server, registry)
              .serviceName(SERVICE)
              .weight(weight)
              .tag("server", name)
              .shutdownTimeout(SHUTDOWN_TIMEOUT)
              .register();
    } catch (RuntimeException e) {
      server.shutdownNow();
      throw e;
    }
    say.line(
        "%s: Netty gRPC server on %s, registered by GrpcRegistration with weight %d in %s%s",
        name, address(registration), weight, Narration.time(System.nanoTime() - start), note);
    return registration;
  }

  private void checkGoFormat(
      EtcdRegistry registry, GrpcRegistration a, GrpcRegistration b, String cAddress, long cLease) {
    GetResponse stored = get(target.serviceKey(SERVICE), true);
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
    Map<String, Integer> weights = Map.of(address(a), 1, address(b), 2, cAddress, 3);
    Map<String, String> names = Map.of(address(a), "a", address(b), "b", cAddress, "c");
    for (Map.Entry<String, Integer> instance : weights.entrySet()) {
      String key = target.serviceKey(SERVICE) + instance.getKey();
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
    long bLease = byKey.get(target.serviceKey(SERVICE) + address(b)).getLease();
    long cLeaseStored = byKey.get(target.serviceKey(SERVICE) + cAddress).getLease();
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
        aLease, DurationText.format(LEASE_TTL), cLease, DurationText.format(CHILD_LEASE_TTL));
  }

  private void goService(EtcdResolver resolver) {
    String address = "127.0.0.1:8888";
    String key = target.serviceKey(GO_SERVICE) + address;
    String value =
        "{\"network\":\"tcp\",\"address\":\"" + address + "\",\"weight\":0,\"tags\":null}";
    await(raw.getKVClient().put(bytes(key), bytes(value)), "put " + key);
    written.add(key);
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

  @SuppressWarnings(
      "deprecation") // nameResolverFactory: the per-channel way to use a programmatic provider
  private ManagedChannel channel(EtcdNameResolverProvider provider) {
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget("etcd:///" + SERVICE)
            .nameResolverFactory(provider)
            .defaultLoadBalancingPolicy(EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
            .usePlaintext()
            .build();
    say.line(
        "ManagedChannelBuilder.forTarget(\"etcd:///%s\"), load balancing %s; it resolves through the demo's "
            + "EtcdResolver (EtcdNameResolverProvider.forResolver), to which the demo also subscribes to time changes",
        SERVICE, EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME);
    return channel;
  }

  private void split(EchoCaller caller) {
    long start = System.nanoTime();
    long deadline = start + WAIT.toNanos();
    Set<String> answered = new HashSet<>();
    int warmUp = 0;
    while (answered.size() < 3 && System.nanoTime() < deadline) {
      String server = caller.call();
      warmUp++;
      if (server != null) {
        answered.add(server);
      }
    }
    if (answered.size() < 3) {
      throw new IllegalStateException(
          "demo: only "
              + answered
              + " answered within "
              + WAIT.toSeconds()
              + "s; "
              + "failures: "
              + caller.tally().failures());
    }
    say.line(
        "a, b and c all answered %s after the first call (%d warm-up calls, not counted: the channel connects "
            + "to each instance as the resolver hands it over)",
        Narration.time(System.nanoTime() - start), warmUp);
    EchoCaller.Tally before = caller.tally();
    long began = System.nanoTime();
    for (int i = 0; i < SPLIT_CALLS; i++) {
      caller.call();
    }
    long took = System.nanoTime() - began;
    EchoCaller.Tally split = caller.tally().since(before);
    say.line("%d calls in %s:", SPLIT_CALLS, Narration.time(took));
    say.item("%-6s  %6s  %5s  %6s  %8s", "SERVER", "WEIGHT", "CALLS", "SHARE", "EXPECTED");
    for (String server : List.of("a", "b", "c")) {
      int weight = server.charAt(0) - 'a' + 1;
      long count = split.repliesOf(server);
      say.item(
          "%-6s  %6d  %5d  %5.1f%%  %7.1f%%",
          server, weight, count, 100.0 * count / SPLIT_CALLS, 100.0 * weight / 6);
    }
    if (split.failed() > 0) {
      say.line("failed: %d %s", split.failed(), split.failures());
    }
  }

  private void gracefulShutdown(EchoCaller caller, GrpcRegistration b, String bAddress)
      throws InterruptedException {
    EchoCaller.Tally before = caller.tally();
    long began = System.nanoTime();
    b.close();
    long returned = System.nanoTime();
    say.line(
        "b's GrpcRegistration.close(): deregistered b, let its calls finish, stopped its server: %s",
        Narration.time(returned - began));
    long removed = awaitRemoval(bAddress, began, WAIT);
    say.line(
        "the client's resolver saw b removed %s after close() began (etcd's watch pushes it; nothing polls)",
        Narration.time(removed - began));
    Long lastFromB = caller.lastReplyNanos("b");
    if (lastFromB != null && lastFromB > began) {
      say.line(
          "b answered until %s after close() began: it served while its removal travelled to the client",
          Narration.time(lastFromB - began));
    }
    caller.awaitCalls(caller.calls() + CALLS_AFTER, WAIT);
    EchoCaller.Tally during = caller.tally().since(before);
    say.line(
        "calls from close() until %d calls after the removal: %d, failed: %d%s; replies: %s",
        CALLS_AFTER, during.calls(), during.failed(), failures(during), replies(during));
  }

  private void kill(EchoCaller caller, ChildServer c, String cAddress) throws InterruptedException {
    EchoCaller.Tally before = caller.tally();
    long killed = System.nanoTime();
    if (!c.kill(WAIT)) {
      throw new IllegalStateException(
          "demo: c (pid " + c.pid() + ") did not exit within " + WAIT.toSeconds() + "s of SIGKILL");
    }
    long gone = System.nanoTime();
    say.line(
        "killed c (pid %d) with Process.destroyForcibly(): gone %s later; its key stays in etcd until its "
            + "lease expires",
        c.pid(), Narration.time(gone - killed));
    long removed = awaitRemoval(cAddress, killed, CHILD_LEASE_TTL.plus(WAIT));
    long took = removed - killed;
    boolean met = took <= CHILD_LEASE_TTL.plusSeconds(1).toNanos();
    say.line(
        "the client's resolver saw c removed %s after the kill (lease TTL %s; within TTL + 1s: %s)",
        Narration.time(took), DurationText.format(CHILD_LEASE_TTL), met ? "yes" : "NO");
    caller.awaitCalls(caller.calls() + CALLS_AFTER, WAIT);
    EchoCaller.Tally during = caller.tally().since(before);
    long inFlight = caller.failuresInFlightDuring(killed, gone);
    say.line(
        "calls from the kill until %d calls after the removal: %d, failed: %d%s%s; replies: %s",
        CALLS_AFTER,
        during.calls(),
        during.failed(),
        failures(during),
        during.failed() == 0
            ? ""
            : inFlight == during.failed()
                ? ", in flight while c died"
                : ", " + inFlight + " of them in flight while c died",
        replies(during));
  }

  // ---- helpers ----

  /**
   * Waits for the change removing {@code address}; returns when it arrived ({@link
   * System#nanoTime()}).
   */
  private long awaitRemoval(String address, long since, Duration bound)
      throws InterruptedException {
    long deadline = since + bound.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Received received = left > 0 ? changes.next(Duration.ofNanos(left)) : null;
      if (received == null) {
        throw new IllegalStateException(
            "demo: the resolver did not report "
                + address
                + " removed within "
                + DurationText.format(bound));
      }
      if (received.error() != null) {
        say.item(
            "the resolver lost etcd (%s) and keeps serving what it knew",
            received.error().getMessage());
      } else if (received.change().removed().stream().anyMatch(i -> i.address().equals(address))) {
        return received.nanos();
      }
    }
  }

  /**
   * {@code " (UNAVAILABLE: io exception)"}, {@code " (2x UNAVAILABLE: ..., 1x ...)"}, or nothing.
   */
  private static String failures(EchoCaller.Tally tally) {
    if (tally.failures().isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder(" (");
    tally
        .failures()
        .forEach(
            (status, count) ->
                text.append(text.length() > 2 ? ", " : "")
                    .append(count == 1 && tally.failures().size() == 1 ? "" : count + "x ")
                    .append(status));
    return text.append(')').toString();
  }

  /** {@code "a 110, b 5, c 209"}. */
  private static String replies(EchoCaller.Tally tally) {
    StringBuilder text = new StringBuilder();
    tally
        .replies()
        .forEach(
            (server, count) ->
                text.append(text.length() > 0 ? ", " : "")
                    .append(server)
                    .append(' ')
                    .append(count));
    return text.length() == 0 ? "none" : text.toString();
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

  private static String address(GrpcRegistration registration) {
    InetSocketAddress address = (InetSocketAddress) registration.infos().get(0).address();
    return address.getHostString() + ":" + address.getPort();
  }

  /**
   * On the user's etcd: the keys the demo wrote itself, and its whole prefix when that is the
   * demo's own (instances leave with their registrations and leases).
   */
  private void deleteDemoKeys() {
    for (String key : written) {
      await(raw.getKVClient().delete(bytes(key)), "delete " + key);
    }
    if (!target.prefixGiven()) {
      await(
          raw.getKVClient()
              .delete(bytes(target.rootKey()), DeleteOption.builder().isPrefix(true).build()),
          "delete " + target.rootKey());
    }
  }

  private GetResponse get(String key, boolean prefix) {
    return await(
        raw.getKVClient().get(bytes(key), GetOption.builder().isPrefix(prefix).build()),
        "read " + key);
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("demo: interrupted during " + what, e);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new RegistryException(
          RegistryException.Reason.UNREACHABLE,
          what + ": etcd did not answer within " + DurationText.format(target.dialTimeout()),
          e);
    } catch (ExecutionException e) {
      throw new RegistryException(
          what + ": " + e.getCause(), e.getCause()); // OTHER: the jetcd error says more
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }

  private static String text(ByteSequence bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
