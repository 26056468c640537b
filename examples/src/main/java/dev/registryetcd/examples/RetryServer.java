package dev.registryetcd.examples;

import static dev.registryetcd.retry.RetryConfig.withMaxAttemptTimes;
import static dev.registryetcd.retry.RetryConfig.withObserveDelay;
import static dev.registryetcd.retry.RetryConfig.withRetryDelay;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.retry.RetryConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Go extension's {@code NewEtcdRegistryWithRetry} example, in Java: {@link SimpleServer} with a
 * registry that puts its registration back when etcd loses it, retrying every 5 s up to 10 times,
 * and checking every 20 s while all is well.
 *
 * <p>Usage: {@code RetryServer [etcd endpoints] [port | host:port]}, as {@link SimpleServer}.
 */
public final class RetryServer {
  /**
   * The Go example's configuration: {@code WithMaxAttemptTimes(10)}, {@code WithObserveDelay(20s)},
   * {@code WithRetryDelay(5s)}.
   */
  public static final RetryConfig RETRY_CONFIG =
      RetryConfig.newRetryConfig(
          withMaxAttemptTimes(10),
          withObserveDelay(Duration.ofSeconds(20)),
          withRetryDelay(Duration.ofSeconds(5)));

  private static final Logger log = LoggerFactory.getLogger(RetryServer.class);

  private RetryServer() {}

  public static void main(String[] args) throws Exception {
    List<String> endpoints = Args.endpoints(args, System::getenv);
    InetSocketAddress listen = Args.listenAddress(args, 8888);
    RunningServer server =
        start(endpoints, listen, "RetryServer on " + listen.getPort(), RETRY_CONFIG)
            .closeOnExit("RetryServer");
    log.info(
        "Echo listening on {}, registered as {} in etcd {} with {}; Ctrl-C to stop",
        server.hostPort(),
        SimpleServer.SERVICE,
        endpoints,
        RETRY_CONFIG);
    server.awaitClosed();
  }

  /**
   * Starts Echo, answering as {@code name}, on {@code listen} and registers it as {@value
   * SimpleServer#SERVICE} in the etcd at {@code endpoints}, kept registered as {@code retryConfig}
   * says.
   *
   * @throws IOException when the server cannot listen there
   * @throws dev.registryetcd.registry.RegistryException when etcd does not take the registration;
   *     the server is stopped again
   */
  public static RunningServer start(
      List<String> endpoints, InetSocketAddress listen, String name, RetryConfig retryConfig)
      throws IOException {
    return SimpleServer.serve(
        EtcdRegistry.newEtcdRegistryWithRetry(endpoints, retryConfig), listen, name);
  }
}
