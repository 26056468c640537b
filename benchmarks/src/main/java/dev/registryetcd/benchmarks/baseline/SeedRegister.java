package dev.registryetcd.benchmarks.baseline;

import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The baseline "seed-register": what the Go extension's registry does per registration — grant a
 * lease, put the key with it, and start a keep-alive for that lease. N registrations hold N leases,
 * each kept alive on its own (jetcd, like Go's client, sends one keep-alive per lease every TTL/3
 * over one shared stream).
 *
 * <p>Not thread-safe. Uses the caller's client; {@link #close()} stops the keep-alives and deletes
 * the keys, and leaves the leases to expire.
 */
public final class SeedRegister implements AutoCloseable {
  private final Client client;
  private final String prefix;
  private final Duration ttl;
  private final Duration timeout;
  private final List<CloseableClient> keepAlives = new ArrayList<>();
  private final LongAdder keepAliveErrors = new LongAdder();
  private final LongAdder keepAlivesGivenUp = new LongAdder();

  public SeedRegister(Client client, String prefix, Duration ttl, Duration timeout) {
    this.client = client;
    this.prefix = prefix;
    this.ttl = ttl;
    this.timeout = timeout;
  }

  /**
   * Registers {@code value} under {@code {prefix}/{service}/{address}} on a lease of its own;
   * returns the lease.
   */
  public long register(String service, String address, byte[] value) {
    long lease = await(client.getLeaseClient().grant(ttl.getSeconds()), "grant").getID();
    await(
        client
            .getKVClient()
            .put(
                bytes(prefix + "/" + service + "/" + address),
                ByteSequence.from(value),
                PutOption.builder().withLeaseId(lease).build()),
        "put");
    keepAlives.add(
        client
            .getLeaseClient()
            .keepAlive(
                lease,
                new StreamObserver<LeaseKeepAliveResponse>() {
                  @Override
                  public void onNext(LeaseKeepAliveResponse response) {}

                  @Override
                  public void onError(Throwable error) {
                    keepAliveErrors.increment();
                  }

                  @Override
                  public void onCompleted() {
                    // jetcd had no answer for this lease within its deadline and stopped keeping it
                    // alive
                    keepAlivesGivenUp.increment();
                  }
                }));
    return lease;
  }

  /** How many registrations it holds. */
  public int registrations() {
    return keepAlives.size();
  }

  /** Leases whose keep-alive jetcd gave up (no answer within its deadline): their keys expire. */
  public long keepAlivesGivenUp() {
    return keepAlivesGivenUp.sum();
  }

  /** Errors reported to the keep-alive observers (a broken stream is reported once per lease). */
  public long keepAliveErrors() {
    return keepAliveErrors.sum();
  }

  @Override
  public void close() {
    keepAlives.forEach(CloseableClient::close);
    keepAlives.clear();
    try {
      await(
          client
              .getKVClient()
              .delete(bytes(prefix + "/"), DeleteOption.builder().isPrefix(true).build()),
          "delete");
    } catch (RegistryException e) {
      // the leases expire anyway
    }
  }

  private <T> T await(CompletableFuture<T> call, String what) {
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("seed-register " + what + ": interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new RegistryException("seed-register " + what + ": " + e, e);
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
