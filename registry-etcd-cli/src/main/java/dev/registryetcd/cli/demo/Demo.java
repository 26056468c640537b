package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.cli.ListCommand;
import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.grpc.EtcdNameResolverProvider;
import dev.registryetcd.grpc.EtcdWeightedRoundRobinLoadBalancerProvider;
import dev.registryetcd.grpc.GrpcRegistration;
import io.etcd.jetcd.Client;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
      DemoEtcd etcd = new DemoEtcd(rawClient, target);
      GoFormatCheck goFormat = new GoFormatCheck(say, target, etcd, SERVICE);
      Removals removals = new Removals(say, changes, WAIT, CALLS_AFTER);
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
        goFormat.checkGoFormat(
            registry,
            a,
            b,
            cAddress,
            Long.parseUnsignedLong(ready[1], 16),
            LEASE_TTL,
            CHILD_LEASE_TTL);
        goFormat.goService(resolver);

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
        removals.gracefulShutdown(caller, b, address(b));

        say.heading("4. c is killed (SIGKILL) and never deregisters");
        removals.kill(caller, c, cAddress, CHILD_LEASE_TTL);
        caller.close();

        say.heading("5. What etcd holds now, as registry-etcd list prints it");
        say.line(
            "$ registry-etcd list --endpoints %s%s",
            target.endpointsText(),
            target.prefix().equals(DEFAULT_PREFIX) ? "" : " --prefix " + target.prefix());
        ListCommand.print(etcd.client(), target, say.writer(), err);
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
            etcd.deleteDemoKeys();
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

  static String address(GrpcRegistration registration) {
    InetSocketAddress address = (InetSocketAddress) registration.infos().get(0).address();
    return address.getHostString() + ":" + address.getPort();
  }
}
