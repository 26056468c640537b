package dev.registryetcd.events;

import java.time.Duration;

/**
 * What registries and resolvers tell an observer about their work with etcd, for metrics and
 * tracing: the Micrometer binding {@code dev.registryetcd.metrics.EtcdMetrics} is one.
 *
 * <p>Every method has an empty default, so an observer overrides only what it needs. They are
 * called on the registry's or resolver's own threads: an implementation must return quickly, never
 * block and never throw (what it throws is logged and dropped).
 *
 * <pre>{@code
 * EtcdResolver resolver = EtcdResolver.builder()
 *     .endpoints(List.of("127.0.0.1:2379"))
 *     .events(new EtcdEvents() {
 *       @Override public void watchRestarted(Source source, WatchEnd cause) {
 *         log.info("{} watch restarted: {}", source, cause);
 *       }
 *     })
 *     .build();
 * }</pre>
 */
public interface EtcdEvents {
  /** Observes nothing. */
  EtcdEvents NONE = new EtcdEvents() {};

  /** Which component a watch belongs to. */
  enum Source {
    REGISTRY,
    RESOLVER
  }

  /** Why a watch ended and was started again. */
  enum WatchEnd {
    /** etcd compacted the revision the watch was at; the whole range is read again. */
    COMPACTED,
    /** etcd could not be reached, or the member went away. */
    UNAVAILABLE,
    /** The stream was closed without an error (e.g. the server shut down). */
    COMPLETED,
    /** Any other error. */
    ERROR,
    /**
     * The watch did not show etcd's current revision within the liveness bound (its member is
     * frozen, cut off or behind); it resumes on a new stream, usually on another member.
     */
    UNCONFIRMED
  }

  /** Why the keep-alive of a registry's lease failed. */
  enum KeepAliveFailure {
    /** etcd no longer knows the lease (it expired, or was revoked behind the registry's back). */
    LEASE_NOT_FOUND,
    /** One keep-alive got no answer within its bound; it is sent again, through another member. */
    NO_ANSWER,
    /** One keep-alive failed (for example its member refused the connection); it is sent again. */
    STREAM_ERROR
  }

  /** A registry's lease keep-alive failed. */
  default void keepAliveFailed(KeepAliveFailure failure) {}

  /**
   * A registry that lost its lease holds a new one and has put back all its {@code registrations}.
   */
  default void leaseRecovered(int registrations) {}

  /**
   * A registry found one of its keys deleted or taken off its lease behind its back and put it
   * back.
   */
  default void keyRestored() {}

  /** A watch ended for {@code cause} and its component is reading and watching again. */
  default void watchRestarted(Source source, WatchEnd cause) {}

  /**
   * A resolver skipped the value under {@code key}: it is not an instance (it does not decode as
   * the Go extension's JSON, or names no address), for {@code reason}. Told once per key and
   * revision, beside the one WARN log line, however often the service is resolved. Both come from
   * etcd, so both arrive escaped (control, format and separator characters as {@code \}{@code
   * uXXXX}, a backslash doubled) and cut after 256 characters with a marker: safe to print.
   */
  default void valueSkipped(String key, String reason) {}

  /**
   * A resolver's listener of {@code service} was called with a change, {@code sinceEvent} after the
   * etcd event that caused it reached this process (watch callback to listener call).
   */
  default void listenerNotified(String service, Duration sinceEvent) {}
}
