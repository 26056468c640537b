package dev.registryetcd.examples;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The examples' command line, as the Go examples take it: etcd's endpoints first, then a listen
 * address.
 */
final class Args {
  /** The environment variable naming etcd's endpoints when no argument does, comma-separated. */
  static final String ENDPOINTS_ENV = "ETCD_ENDPOINTS";

  /**
   * The endpoint of the Go examples, used when neither an argument nor {@value #ENDPOINTS_ENV}
   * names one.
   */
  static final String DEFAULT_ENDPOINT = "127.0.0.1:2379";

  private Args() {}

  /**
   * The first argument, else {@value #ENDPOINTS_ENV}, else {@value #DEFAULT_ENDPOINT};
   * comma-separated.
   */
  static List<String> endpoints(String[] args, Function<String, String> env) {
    String named = args.length > 0 && !args[0].isBlank() ? args[0] : env.apply(ENDPOINTS_ENV);
    if (named == null || named.isBlank()) {
      return List.of(DEFAULT_ENDPOINT);
    }
    List<String> endpoints =
        Arrays.stream(named.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          "no etcd endpoint in '" + named + "': give e.g. 127.0.0.1:2379");
    }
    return endpoints;
  }

  /**
   * The second argument as a listen address: a port (on 127.0.0.1) or {@code host:port}; else
   * 127.0.0.1 and {@code defaultPort}.
   */
  static InetSocketAddress listenAddress(String[] args, int defaultPort) {
    if (args.length < 2 || args[1].isBlank()) {
      return new InetSocketAddress("127.0.0.1", defaultPort);
    }
    String given = args[1].trim();
    int colon = given.lastIndexOf(':');
    String host = colon < 0 ? "127.0.0.1" : given.substring(0, colon).replaceAll("^\\[|]$", "");
    try {
      int port = Integer.parseInt(given.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException("out of range");
      }
      return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "listen address must be a port or host:port, e.g. 8888 or 0.0.0.0:8888, not '"
              + given
              + "'",
          e);
    }
  }
}
