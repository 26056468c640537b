package dev.registryetcd.examples;

import dev.registryetcd.demo.echo.Echo;
import dev.registryetcd.grpc.EtcdNameResolverProvider;
import dev.registryetcd.grpc.EtcdWeightedRoundRobinLoadBalancerProvider;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Go extension's client example ("How To Use / Client"), in Java: finds service {@value
 * SimpleServer#SERVICE} in etcd through the {@code etcd:///} name resolver and calls Echo every
 * second, balancing by registry weight over every registered server; the first failed call ends it
 * with exit code 1, as Go's {@code log.Fatal}.
 *
 * <p>Usage: {@code Client [etcd endpoints]}; endpoints default to {@code $ETCD_ENDPOINTS}, else
 * {@code 127.0.0.1:2379}.
 */
public final class Client implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Client.class);
  private static final Duration DEADLINE =
      Duration.ofSeconds(3); // Go: context.WithTimeout(..., 3s)

  private final EtcdNameResolverProvider etcd;
  private final ManagedChannel channel;

  private Client(EtcdNameResolverProvider etcd, ManagedChannel channel) {
    this.etcd = etcd;
    this.channel = channel;
  }

  public static void main(String[] args) throws InterruptedException {
    System.exit(run(Args.endpoints(args, System::getenv), Long.MAX_VALUE, Duration.ofSeconds(1)));
  }

  /**
   * Calls Echo("Hello") {@code calls} times, {@code every} apart, logging each reply. Returns 0, or
   * 1 at the first failed call, which it logs.
   */
  static int run(List<String> endpoints, long calls, Duration every) throws InterruptedException {
    try (Client client = connect(endpoints)) {
      for (long i = 0; i < calls; i++) {
        if (i > 0) {
          Thread.sleep(every.toMillis());
        }
        try {
          log.info(client.echo("Hello"));
        } catch (StatusRuntimeException e) {
          log.error("Echo failed: {}", e.getMessage());
          return 1;
        }
      }
      return 0;
    }
  }

  /**
   * A channel on {@code etcd:///Hello}, resolved through the etcd at {@code endpoints}, balanced by
   * weight.
   */
  @SuppressWarnings(
      "deprecation") // nameResolverFactory: the per-channel way to use a programmatic provider
  public static Client connect(List<String> endpoints) {
    EtcdNameResolverProvider etcd = EtcdNameResolverProvider.forEndpoints(endpoints);
    ManagedChannel channel =
        ManagedChannelBuilder.forTarget("etcd:///" + SimpleServer.SERVICE)
            .nameResolverFactory(etcd)
            .defaultLoadBalancingPolicy(EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
            .usePlaintext()
            .build();
    return new Client(etcd, channel);
  }

  /**
   * One Echo call to whichever registered server the balancer picks, within 3 s.
   *
   * @throws StatusRuntimeException when it fails, e.g. {@code UNAVAILABLE} when no server is
   *     registered
   */
  public String echo(String message) {
    return Echo.call(channel, message, DEADLINE);
  }

  /**
   * Closes the channel, then the resolver it used; keeps the thread's interrupt if it is
   * interrupted.
   */
  @Override
  public void close() {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      etcd.close();
    }
  }
}
