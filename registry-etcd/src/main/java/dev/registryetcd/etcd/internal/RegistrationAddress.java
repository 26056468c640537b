package dev.registryetcd.etcd.internal;

import com.google.common.net.InetAddresses;
import dev.registryetcd.registry.InvalidInfoException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.util.Collections;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The address an instance is registered under, decided as the Go extension decides it: a fixed
 * address wins; else a wildcard or empty host becomes the machine's first non-loopback IPv4
 * address; then {@code KITEX_IP_TO_REGISTRY} replaces the host and {@code KITEX_PORT_TO_REGISTRY}
 * the port when set and non-empty. IPv6 hosts are written {@code [::1]:8888}.
 *
 * @param network {@code tcp} or {@code unix}
 * @param address {@code host:port} or a socket path
 */
public record RegistrationAddress(String network, String address) {
  public static final String IP_ENV = "KITEX_IP_TO_REGISTRY";
  public static final String PORT_ENV = "KITEX_PORT_TO_REGISTRY";

  /**
   * Decides the registered address of {@code listen}.
   *
   * @param fixed the registry's fixed address, or {@code null}
   * @param env where {@code KITEX_*} variables are read
   * @param localIPv4 the machine's first non-loopback IPv4 address, if any
   * @throws IllegalArgumentException naming what is wrong and how to fix it
   */
  public static RegistrationAddress of(
      SocketAddress listen,
      SocketAddress fixed,
      Function<String, String> env,
      Supplier<Optional<String>> localIPv4) {
    if (fixed != null) {
      return literal(fixed, "fixed address");
    }
    if (listen instanceof UnixDomainSocketAddress unix) {
      return new RegistrationAddress("unix", unix.getPath().toString());
    }
    InetSocketAddress inet = (InetSocketAddress) listen;
    String host = inet.getHostString();
    int port = inet.getPort();
    String hostFromEnv = env.apply(IP_ENV);
    String portFromEnv = env.apply(PORT_ENV);
    if (hostFromEnv != null && !hostFromEnv.isEmpty()) {
      host = hostFromEnv;
    } else if (host.isEmpty() || isWildcard(inet)) {
      host =
          localIPv4
              .get()
              .orElseThrow(
                  () ->
                      new InvalidInfoException(
                          InvalidInfoException.Field.ADDRESS,
                          "address "
                              + listen
                              + " is a wildcard address and this machine has no non-loopback IPv4 address to register instead: "
                              + "set "
                              + IP_ENV
                              + ", register a concrete address, or use EtcdRegistry.setFixedAddress"));
    }
    if (portFromEnv != null && !portFromEnv.isEmpty()) {
      port = parsePort(portFromEnv);
    }
    if (port < 1 || port > 65535) {
      throw new InvalidInfoException(
          InvalidInfoException.Field.ADDRESS,
          "address port must be 1..65535, not "
              + port
              + ": register the port the server actually listens on (or set "
              + PORT_ENV
              + ")");
    }
    return new RegistrationAddress("tcp", hostPort(host, port));
  }

  /**
   * The first non-loopback IPv4 address of an interface that is up, in interface order, as Go picks
   * it.
   */
  public static Optional<String> firstNonLoopbackIPv4() {
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
            return Optional.of(address.getHostAddress());
          }
        }
      }
      return Optional.empty();
    } catch (SocketException e) {
      return Optional.empty();
    }
  }

  private static RegistrationAddress literal(SocketAddress address, String what) {
    if (address instanceof UnixDomainSocketAddress unix) {
      return new RegistrationAddress("unix", unix.getPath().toString());
    }
    if (address instanceof InetSocketAddress inet) {
      if (inet.getPort() < 1) {
        throw new InvalidInfoException(
            InvalidInfoException.Field.ADDRESS,
            what + " port must be 1..65535, not " + inet.getPort());
      }
      return new RegistrationAddress("tcp", hostPort(inet.getHostString(), inet.getPort()));
    }
    throw new InvalidInfoException(
        InvalidInfoException.Field.ADDRESS,
        what
            + " must be an InetSocketAddress or a UnixDomainSocketAddress, not "
            + address.getClass().getName());
  }

  private static boolean isWildcard(InetSocketAddress inet) {
    String host = inet.getHostString();
    return InetAddresses.isInetAddress(host) && InetAddresses.forString(host).isAnyLocalAddress();
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new InvalidInfoException(
        InvalidInfoException.Field.ADDRESS,
        PORT_ENV + "=" + text + " is not a port: set it to 1..65535, or unset it");
  }

  private static String hostPort(String host, int port) {
    if (InetAddresses.isInetAddress(host)) {
      InetAddress ip = InetAddresses.forString(host);
      String literal = InetAddresses.toAddrString(ip);
      return (ip instanceof Inet4Address ? literal : "[" + literal + "]") + ":" + port;
    }
    return host + ":" + port;
  }
}
