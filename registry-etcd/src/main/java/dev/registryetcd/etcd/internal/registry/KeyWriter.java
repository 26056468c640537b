package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.EtcdCalls;
import dev.registryetcd.etcd.internal.ServiceKeys;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The registry's writes and reads of its keys, each bounded by the dial timeout; puts record their
 * revision in the {@link RegistrationTable}, and every call etcd answers is reported to {@code
 * answered} (the registry's last contact). Runs on the registry's loop thread.
 */
public final class KeyWriter {
  private final Client client;
  private final String prefix;
  private final Duration timeout;
  private final RegistrationTable table;
  private final Runnable answered;

  /**
   * @param answered called on the loop after each call etcd answered
   */
  public KeyWriter(
      Client client, String prefix, Duration timeout, RegistrationTable table, Runnable answered) {
    this.client = client;
    this.prefix = prefix;
    this.timeout = timeout;
    this.table = table;
    this.answered = answered;
  }

  /** Puts {@code registration} on lease {@code leaseId}; returns the revision of the put. */
  public long put(Registration registration, long leaseId) {
    long revision =
        call(
                () ->
                    client
                        .getKVClient()
                        .put(
                            bytes(registration.key()),
                            ByteSequence.from(registration.value()),
                            PutOption.builder().withLeaseId(leaseId).build()),
                timeout,
                "put " + registration.key())
            .getHeader()
            .getRevision();
    table.putAt(registration.key(), revision);
    return revision;
  }

  public void delete(String key) {
    call(() -> client.getKVClient().delete(bytes(key)), timeout, "delete " + key);
  }

  /** What etcd holds under {@code key}, or null. */
  public KeyValue read(String key) {
    List<KeyValue> kvs =
        call(() -> client.getKVClient().get(bytes(key)), timeout, "read " + key).getKvs();
    return kvs.isEmpty() ? null : kvs.get(0);
  }

  /** Every key etcd holds under {@code service}. */
  public GetResponse readService(String service) {
    return call(
        () ->
            client
                .getKVClient()
                .get(
                    bytes(ServiceKeys.servicePrefix(prefix, service)),
                    GetOption.builder().isPrefix(true).build()),
        timeout,
        "read " + service);
  }

  private <T> T call(Supplier<CompletableFuture<T>> request, Duration bound, String what) {
    T answer = EtcdCalls.awaitRetrying(request, bound, what);
    answered.run();
    return answer;
  }

  static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
