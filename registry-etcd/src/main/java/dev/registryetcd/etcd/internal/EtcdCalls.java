package dev.registryetcd.etcd.internal;

import dev.registryetcd.events.EtcdEvents;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.registry.RegistryException.Reason;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Bounded waits on jetcd's futures, turning their failures into {@link RegistryException}s that say
 * what to check.
 */
public final class EtcdCalls {
  private EtcdCalls() {}

  /**
   * Waits at most {@code timeout} for {@code call}; cancels it on time-out.
   *
   * @param what the operation, for the message, e.g. {@code "put
   *     kitex/registry-etcd/echo/10.0.0.7:8888"}
   */
  public static <T> T await(CompletableFuture<T> call, Duration timeout, String what) {
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new RegistryException(
          Reason.UNREACHABLE,
          what
              + ": etcd did not answer within "
              + timeout
              + " (is etcd running and reachable at the configured endpoints?)",
          e);
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new RegistryException(Reason.INTERRUPTED, what + ": interrupted", e);
    } catch (ExecutionException e) {
      throw failure(what, e.getCause() == null ? e : e.getCause());
    }
  }

  /** The shortest time one attempt of {@link #awaitRetrying} is given. */
  private static final Duration MIN_ATTEMPT = Duration.ofMillis(500);

  /**
   * Like {@link #await}, but hedged: when the call is not answered within a third of {@code
   * timeout} (at least 500 ms) it is made again, and the first answer of any attempt counts; when
   * etcd answers UNAVAILABLE it is made again after a short backoff. A member that stalls while its
   * port still accepts, or that just died, holds one attempt, not the whole timeout: gRPC's
   * round-robin sends the next attempt to the next member, while a slow but healthy answer (a first
   * TLS handshake, say) still arrives. Only for calls that are safe to repeat (put of the same
   * value, delete, range reads, lease checks, revoke, grant: a repeated grant at worst leaves a
   * lease that expires unused).
   */
  public static <T> T awaitRetrying(
      Supplier<CompletableFuture<T>> call, Duration timeout, String what) {
    return awaitRetrying(
        call,
        timeout,
        Duration.ofNanos(Math.max(timeout.toNanos() / 3, MIN_ATTEMPT.toNanos())),
        what);
  }

  /**
   * {@link #awaitRetrying(Supplier, Duration, String)} with each attempt given {@code eachAttempt}
   * before the next is made: for calls whose caller knows how long an answer takes when etcd works
   * (a keep-alive), where a third of the timeout would be too long to wait on a member that stalls.
   */
  public static <T> T awaitRetrying(
      Supplier<CompletableFuture<T>> call, Duration timeout, Duration eachAttempt, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long attemptNanos = eachAttempt.toNanos();
    List<CompletableFuture<T>> pending = new ArrayList<>();
    RegistryException lastFailure = null;
    long backoffMillis = 25;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw lastFailure != null ? lastFailure : unanswered(what, timeout);
        }
        pending.add(call.get());
        long attemptEnd = System.nanoTime() + Math.min(left, attemptNanos);
        while (!pending.isEmpty()) {
          long wait = attemptEnd - System.nanoTime();
          if (wait <= 0) {
            break; // not answered in time: one more attempt beside the pending ones
          }
          try {
            CompletableFuture.anyOf(pending.toArray(CompletableFuture[]::new))
                .get(wait, TimeUnit.NANOSECONDS);
          } catch (TimeoutException e) {
            break;
          } catch (ExecutionException e) {
            // one attempt failed: looked at below
          }
          for (CompletableFuture<T> attempt : List.copyOf(pending)) {
            if (!attempt.isDone()) {
              continue;
            }
            pending.remove(attempt);
            try {
              return attempt.getNow(null);
            } catch (RuntimeException failed) {
              RegistryException failure =
                  failure(what, failed.getCause() == null ? failed : failed.getCause());
              if (failure.reason() != Reason.UNREACHABLE) {
                throw failure;
              }
              lastFailure = failure;
            }
          }
          if (pending.isEmpty()) {
            // every attempt was refused at once (a member just died): again after a short pause
            Thread.sleep(
                Math.min(backoffMillis, Math.max(0, attemptEnd - System.nanoTime()) / 1_000_000));
            backoffMillis = Math.min(backoffMillis * 2, 400);
            break;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryException(Reason.INTERRUPTED, what + ": interrupted", e);
    } finally {
      pending.forEach(attempt -> attempt.cancel(true));
    }
  }

  private static RegistryException unanswered(String what, Duration timeout) {
    return new RegistryException(
        Reason.UNREACHABLE,
        what
            + ": etcd did not answer within "
            + timeout
            + " (is etcd running and reachable at the configured endpoints?)",
        new TimeoutException());
  }

  /**
   * {@code error}, a failure of a jetcd call, as a classified {@link RegistryException} saying what
   * to check.
   */
  public static RegistryException failure(String what, Throwable error) {
    if (error instanceof RegistryException known) {
      return known;
    }
    Failure failure = classify(error);
    return new RegistryException(failure.reason, what + ": " + failure.text, error);
  }

  /** Whether {@code error} (or a cause) says etcd does not know the lease. */
  public static boolean isLeaseNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
        return true;
      }
      if (t.getMessage() != null && t.getMessage().contains("requested lease not found")) {
        return true;
      }
    }
    return false;
  }

  /** Why a watch ended, from the error it ended with ({@code null}: completed without one). */
  public static EtcdEvents.WatchEnd watchEnd(Throwable error) {
    if (error == null) {
      return EtcdEvents.WatchEnd.COMPLETED;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CompactedException) {
        return EtcdEvents.WatchEnd.COMPACTED;
      }
    }
    return classify(error).reason == Reason.UNREACHABLE
        ? EtcdEvents.WatchEnd.UNAVAILABLE
        : EtcdEvents.WatchEnd.ERROR;
  }

  /** A one-line account of a jetcd failure, with a hint for the errors users meet. */
  public static String describe(Throwable error) {
    return classify(error).text;
  }

  private record Failure(Reason reason, String text) {}

  private static Failure classify(Throwable error) {
    if (error instanceof TimeoutException) {
      return new Failure(
          Reason.UNREACHABLE,
          "etcd did not answer within the dial timeout (is etcd running and reachable at the configured endpoints?)");
    }
    String message = messages(error);
    String tls = describeTls(error, message);
    if (tls != null) {
      return new Failure(Reason.TLS, tls);
    }
    Status.Code code = Status.fromThrowable(error).getCode();
    if (code == Status.Code.UNAUTHENTICATED
        || message.contains("authentication failed")
        || message.contains("invalid auth token")
        || message.contains("user name is empty")
        || message.contains("authentication is not enabled")) {
      return new Failure(
          Reason.AUTHENTICATION,
          "etcd refused the credentials (" + message + "): check the user name and password");
    }
    if (code == Status.Code.PERMISSION_DENIED || message.contains("permission denied")) {
      return new Failure(
          Reason.PERMISSION,
          "etcd denied access ("
              + message
              + "): grant the user's role read and write on the registry prefix");
    }
    if (code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED
        || (error instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.UNAVAILABLE)) {
      return new Failure(
          Reason.UNREACHABLE,
          "etcd is unavailable ("
              + message
              + "): is it running and reachable at the configured endpoints?");
    }
    return new Failure(Reason.OTHER, error.getClass().getSimpleName() + ": " + message);
  }

  /**
   * What went wrong with TLS, if a TLS failure is in {@code error}'s causes: the server's
   * certificate not trusted, the client's certificate rejected by etcd, or etcd not talking TLS at
   * all; else {@code null}.
   */
  private static String describeTls(Throwable error, String message) {
    boolean ssl = false;
    boolean untrusted = false;
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      ssl |= t instanceof SSLException;
      untrusted |=
          t instanceof CertificateException
              || t instanceof CertPathBuilderException
              || t instanceof CertPathValidatorException;
    }
    if (untrusted
        || message.contains("PKIX")
        || message.contains("unable to find valid certification path")) {
      return "TLS handshake with etcd failed: the server's certificate is not trusted by caFile ("
          + message
          + "): check that withTLSOpt's caFile holds the CA that signed etcd's certificate, and that the "
          + "certificate names the endpoint's host";
    }
    if (message.contains("not an SSL/TLS record")
        || message.contains("Unrecognized SSL message")
        || message.contains("while performing TLS negotiation")) {
      return "TLS handshake with etcd failed: etcd did not answer in TLS ("
          + message
          + "): if it serves "
          + "plaintext at this endpoint, enable TLS on etcd, or drop withTLSOpt and use http:// or host:port";
    }
    if (ssl
        && (message.contains("certificate_required")
            || message.contains("bad_certificate")
            || message.contains("unknown_ca")
            || message.contains("certificate_unknown"))) {
      return "TLS handshake with etcd failed: etcd rejected this client's certificate or its absence ("
          + message
          + "): etcd wants a client certificate signed by its --trusted-ca-file; check withTLSOpt's certFile and "
          + "keyFile";
    }
    if (ssl) {
      return "TLS with etcd failed ("
          + message
          + "): check withTLSOpt's files and etcd's TLS settings";
    }
    return null;
  }

  /** The distinct messages of {@code error} and its causes, outermost first. */
  private static String messages(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      // The first line only: gRPC appends the Netty pipeline on the next lines.
      String message =
          t.getMessage() == null ? null : t.getMessage().lines().findFirst().orElse("");
      if (message != null && !message.isEmpty() && text.indexOf(message) < 0) {
        text.append(text.length() == 0 ? "" : ": ").append(message);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return text.length() == 0 ? error.getClass().getSimpleName() : text.toString();
  }
}
