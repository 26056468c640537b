package dev.registryetcd.cli;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.registry.Info;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd register SERVICE ADDRESS}: registers one instance through an {@link
 * EtcdRegistry} and keeps it registered (lease kept alive, put back if etcd loses it) until Ctrl-C,
 * then closes the registry, which revokes the lease and so deletes the key at once.
 */
@Command(
    name = "register",
    mixinStandardHelpOptions = true,
    description = {
      "Registers SERVICE at ADDRESS, as a Kitex server would, and keeps it registered until Ctrl-C; "
          + "then deregisters it.",
      "Prints the key once registered. KITEX_IP_TO_REGISTRY / KITEX_PORT_TO_REGISTRY / "
          + "KITEX_ETCD_REGISTRY_LEASE_TTL apply as in Go."
    })
final class RegisterCommand implements Callable<Integer> {
  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SERVICE",
      converter = ServiceNameConverter.class,
      description = "The service, e.g. echo.")
  String service;

  @Parameters(
      index = "1",
      paramLabel = "ADDRESS",
      converter = AddressConverter.class,
      description = "host:port, [ipv6]:port, or unix:/path/to.sock.")
  SocketAddress address;

  @CommandLine.Option(
      names = "--weight",
      paramLabel = "N",
      defaultValue = "10",
      description = "Weight of the instance (default: ${DEFAULT-VALUE}).")
  long weight;

  @CommandLine.Option(
      names = "--tag",
      paramLabel = "KEY=VALUE",
      description = "A tag; repeat for more, e.g. --tag zone=a --tag env=prod.")
  Map<String, String> tags;

  @CommandLine.Option(
      names = "--lease-ttl",
      paramLabel = "DURATION",
      converter = DurationText.Converter.class,
      description =
          "Lease TTL in whole seconds, e.g. 10s (default: $KITEX_ETCD_REGISTRY_LEASE_TTL, else 60s). "
              + "If this process dies, the instance disappears within it.")
  Duration leaseTtl;

  @CommandLine.Option(
      names = "--for",
      paramLabel = "DURATION",
      converter = DurationText.Converter.class,
      description = "Deregister after this long instead of waiting for Ctrl-C, e.g. 30s.")
  Duration limit;

  @Override
  public Integer call() {
    EtcdTarget target = root.target();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Info info =
        Info.builder()
            .serviceName(service)
            .address(address)
            .weight(weight)
            .tags(tags == null ? null : new LinkedHashMap<>(tags))
            .build();
    EtcdRegistry.Builder builder = target.registry();
    if (leaseTtl != null) {
      builder.options(leaseTtlOption());
    }
    return run(target, builder, info, out, err);
  }

  private int run(
      EtcdTarget target,
      EtcdRegistry.Builder builder,
      Info info,
      PrintWriter out,
      PrintWriter err) {
    // A client of our own beside the registry's, to read back the key it wrote and check it is
    // gone.
    try (Client client = target.newClient();
        StopSignal stop = new StopSignal(target.dialTimeout().multipliedBy(3))) {
      String key;
      long leaseId;
      EtcdRegistry registry = builder.build();
      try {
        registry.register(info);
        leaseId = registry.leaseId();
        key = registeredKey(client, target, leaseId);
        out.println(
            "registered "
                + TerminalText.escape(key)
                + " (lease "
                + Long.toHexString(leaseId)
                + ")");
        out.flush();
        err.println(
            limit == null
                ? "keeping it registered; Ctrl-C to deregister"
                : "keeping it registered for " + DurationText.format(limit));
        err.flush();
        stop.await(limit);
      } finally {
        registry.close(); // revokes the lease: the key vanishes at once
      }
      String leftBehind = registry.status().problem();
      if (leftBehind != null) {
        err.println("registry-etcd: " + TerminalText.escape(DurationText.humanize(leftBehind)));
        err.flush();
        return RegistryEtcdCommand.EXIT_ETCD;
      }
      List<KeyValue> left =
          EtcdRequests.await(
                  client.getKVClient().get(RegistryContents.bytes(key)),
                  target.dialTimeout(),
                  "check " + key)
              .getKvs();
      String shown = TerminalText.escape(key);
      if (left.isEmpty()) {
        out.println("deregistered " + shown);
      } else if (left.get(0).getLease() != leaseId) {
        // Someone else put the key on a lease of theirs: revoking ours did not touch it.
        out.println(
            "deregistered this registration (lease "
                + Long.toHexString(leaseId)
                + " revoked); "
                + shown
                + " stays: another registration holds it"
                + (left.get(0).getLease() == 0
                    ? " without a lease"
                    : " on lease " + Long.toHexString(left.get(0).getLease())));
      } else {
        out.println("could not deregister " + shown + ": it disappears when its lease expires");
      }
      out.flush();
    }
    return RegistryEtcdCommand.EXIT_OK;
  }

  private Option leaseTtlOption() {
    try {
      return Option.withLeaseTtl(leaseTtl);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--lease-ttl must be a whole number of seconds >= 1s, e.g. 10s, not "
              + DurationText.format(leaseTtl));
    }
  }

  /**
   * The key the registry wrote: the one under the service on its lease. Read back rather than
   * rebuilt, since KITEX_IP_TO_REGISTRY or a wildcard host change the registered address.
   */
  private String registeredKey(Client client, EtcdTarget target, long leaseId) {
    String range = target.serviceKey(service);
    for (KeyValue kv :
        EtcdRequests.await(
                client
                    .getKVClient()
                    .get(RegistryContents.bytes(range), GetOption.builder().isPrefix(true).build()),
                target.dialTimeout(),
                "read " + range)
            .getKvs()) {
      if (kv.getLease() == leaseId) {
        return kv.getKey().toString(StandardCharsets.UTF_8);
      }
    }
    throw new IllegalStateException(
        "registered "
            + service
            + " but found no key of it on lease "
            + Long.toHexString(leaseId)
            + " under "
            + range
            + ": was it deleted meanwhile?");
  }

  /** {@code host:port}, {@code [ipv6]:port} or {@code unix:/path}; never looks a host name up. */
  static final class AddressConverter implements CommandLine.ITypeConverter<SocketAddress> {
    @Override
    public SocketAddress convert(String value) {
      if (value.startsWith("unix:")) {
        String path = value.substring("unix:".length());
        if (path.isEmpty()) {
          throw new CommandLine.TypeConversionException(
              "unix: needs a socket path, e.g. unix:/tmp/echo.sock");
        }
        return UnixDomainSocketAddress.of(path);
      }
      int colon = value.lastIndexOf(':');
      if (colon < 0) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not an address: give host:port, [ipv6]:port or unix:/path");
      }
      String host = value.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      } else if (host.indexOf(':') >= 0) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "': write an IPv6 address in brackets, e.g. [::1]:8888");
      }
      int port;
      try {
        port = Integer.parseInt(value.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' has no numeric port");
      }
      if (port < 1 || port > 65535) {
        throw new CommandLine.TypeConversionException("port must be 1..65535, not " + port);
      }
      return InetSocketAddress.createUnresolved(host, port);
    }
  }
}
