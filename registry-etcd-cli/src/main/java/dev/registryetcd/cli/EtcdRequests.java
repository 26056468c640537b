package dev.registryetcd.cli;

import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.registry.RegistryException.Reason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits on jetcd's futures: a request etcd does not answer in time is a {@link
 * RegistryException} with reason {@link Reason#UNREACHABLE}.
 */
final class EtcdRequests {
  private EtcdRequests() {}

  /**
   * Waits at most {@code timeout} for {@code call}, cancelling it on time-out.
   *
   * @param what the request, for the message, e.g. {@code "read kitex/registry-etcd/"}
   * @throws RegistryException when etcd fails or does not answer in time (the cause says which)
   */
  static <T> T await(CompletableFuture<T> call, Duration timeout, String what) {
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new RegistryException(
          Reason.UNREACHABLE,
          what + ": etcd did not answer within " + DurationText.format(timeout),
          e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new RegistryException(Reason.INTERRUPTED, what + ": interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      // OTHER: the raw jetcd error is the cause, which Failures classifies by its code and message
      throw new RegistryException(what + ": " + cause.getMessage(), cause);
    }
  }
}
