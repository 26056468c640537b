package dev.registryetcd.benchmarks.baseline;

import dev.registryetcd.codec.InstanceCodec;
import dev.registryetcd.codec.MalformedInstanceException;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The baseline "seed-resolve": what the Go extension's resolver does on every {@code Resolve} — one
 * range read of {@code {prefix}/{service}/}, then decode every value (a value that does not decode
 * is skipped, a weight {@code <= 0} becomes the default weight, no instance is an error). No cache:
 * every call goes to etcd.
 *
 * <p>Thread-safe; uses the caller's client, which it does not close.
 */
public final class SeedResolve {
  private static final GetOption PREFIX = GetOption.builder().isPrefix(true).build();

  private final Client client;
  private final String prefix;
  private final int defaultWeight;
  private final Duration timeout;

  public SeedResolve(Client client, String prefix, int defaultWeight, Duration timeout) {
    this.client = client;
    this.prefix = prefix;
    this.defaultWeight = defaultWeight;
    this.timeout = timeout;
  }

  /**
   * The service's instances, read from etcd now.
   *
   * @throws NoInstanceException when none decodes
   * @throws RegistryException when etcd does not answer within the timeout
   */
  public Result resolve(String service) {
    try {
      return resolveAsync(service).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException("seed-resolve " + service + ": interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RegistryException registry) {
        throw registry;
      }
      throw new RegistryException("seed-resolve " + service + ": " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new RegistryException(
          "seed-resolve " + service + ": etcd did not answer within " + timeout, e);
    }
  }

  /** {@link #resolve} without waiting: the same read and decode, to issue many reads at once. */
  public CompletableFuture<Result> resolveAsync(String service) {
    ByteSequence range = ByteSequence.from(prefix + "/" + service + "/", StandardCharsets.UTF_8);
    return client.getKVClient().get(range, PREFIX).thenApply(response -> decode(service, response));
  }

  private Result decode(String service, GetResponse response) {
    List<Instance> instances = new ArrayList<>(response.getKvs().size());
    for (KeyValue kv : response.getKvs()) {
      try {
        instances.add(
            InstanceCodec.decode(kv.getValue().getBytes()).withDefaultWeight(defaultWeight));
      } catch (MalformedInstanceException e) {
        continue; // Go logs a warning and goes on
      }
    }
    if (instances.isEmpty()) {
      throw new NoInstanceException(service);
    }
    return new Result(true, service, instances);
  }
}
