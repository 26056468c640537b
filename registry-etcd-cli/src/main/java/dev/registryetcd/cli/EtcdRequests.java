package dev.registryetcd.cli;

import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.registry.RegistryException.Reason;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Bounded waits on jetcd's futures, classified as the library classifies its own: every failure is
 * a {@link RegistryException} whose {@link Reason} says what kind it is ({@link Reason#UNREACHABLE}
 * for one etcd does not answer in time), so {@link Failures} never reads message text.
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
      return EtcdClients.await(call, timeout, what);
    } catch (RegistryException e) {
      if (e.reason() == Reason.UNREACHABLE && e.getCause() instanceof TimeoutException) {
        // the same, in this tool's way of writing durations
        throw new RegistryException(
            Reason.UNREACHABLE,
            what + ": etcd did not answer within " + DurationText.format(timeout),
            e.getCause());
      }
      throw e;
    }
  }
}
