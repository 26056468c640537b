package dev.registryetcd.etcd.internal.registry;

import dev.registryetcd.etcd.internal.loop.Backoff;
import dev.registryetcd.etcd.internal.loop.Scheduler;
import dev.registryetcd.etcd.internal.loop.SingleTimer;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.retry.RetryConfig;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Whether the registry holds a lease, and getting a new one when it is lost, as an explicit state
 * machine: {@code NO_LEASE → LEASED → RECOVERING → LEASED ... → CLOSED}.
 *
 * <p>The Go extension's rule for attempts: after a loss, one attempt at once, then one every
 * RetryDelay; once MaxAttemptTimes attempts failed, one every ObserveDelay. On top of that, while
 * etcd is unreachable it is asked every {@link #PROBE_INTERVAL} whether it answers again, and the
 * next attempt is made as soon as it does: after an outage of any length, registrations come back
 * within a probe interval or so, not up to an ObserveDelay later.
 *
 * <p>Confined to the registry's loop thread, which is also the {@link Scheduler}'s.
 */
public final class LeaseRecovery {

  /** How often etcd is asked whether it answers again while registrations are out of it. */
  public static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);

  /** Where the registry stands with its lease. */
  public enum State {
    /** Nothing registered yet, so no lease granted yet. */
    NO_LEASE,
    /** A lease is held and kept alive; the registrations are on it. */
    LEASED,
    /** The lease was lost; attempts to grant a new one and put everything back are going on. */
    RECOVERING,
    /** The registry is closed; nothing happens any more. */
    CLOSED
  }

  /** One recovery attempt: grant a new lease and put every registration on it, or throw. */
  @FunctionalInterface
  public interface Attempt {
    /** Returns the lease now held and how many registrations are on it. */
    Recovered run();
  }

  /**
   * What a successful attempt holds: the lease and the registrations on it; {@code leaseKept} when
   * it is the lease given up, which etcd still held.
   */
  public record Recovered(long leaseId, int registrations, boolean leaseKept) {}

  private final RetryConfig retry;
  private final Scheduler scheduler;
  private final Backoff backoff;
  private final Attempt attempt;
  private final BooleanSupplier etcdAnswers;
  private final RecoveryLog log;

  private State state = State.NO_LEASE;
  private int failedAttempts;
  private long lostAtNanos;
  private long recoveries;
  private String problem;
  private final SingleTimer nextAttempt;
  private final SingleTimer nextProbe;

  /**
   * @param attempt what one attempt does; runs on the scheduler's thread
   * @param etcdAnswers a cheap bounded request: whether etcd answers now; runs on the scheduler's
   *     thread
   */
  public LeaseRecovery(
      RetryConfig retry,
      Scheduler scheduler,
      Backoff backoff,
      Attempt attempt,
      BooleanSupplier etcdAnswers,
      RecoveryLog log) {
    this.retry = retry;
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.attempt = attempt;
    this.etcdAnswers = etcdAnswers;
    this.log = log;
    this.nextAttempt = new SingleTimer(scheduler);
    this.nextProbe = new SingleTimer(scheduler);
  }

  public State state() {
    return state;
  }

  /** Whether a lease is held and not being recovered: the only state where keys are written. */
  public boolean isLeased() {
    return state == State.LEASED;
  }

  public boolean isRecovering() {
    return state == State.RECOVERING;
  }

  public boolean isClosed() {
    return state == State.CLOSED;
  }

  /** The first lease was granted. */
  public void leased() {
    if (state == State.NO_LEASE) {
      state = State.LEASED;
    }
  }

  /**
   * The lease is lost (etcd no longer knows it, or a key could not be put back on it): makes the
   * first attempt now. Returns its failure, or null when it succeeded or recovery was already on.
   */
  public RuntimeException lost(String reason, int registrations) {
    if (state == State.CLOSED || state == State.RECOVERING) {
      return null;
    }
    state = State.RECOVERING;
    failedAttempts = 0;
    lostAtNanos = scheduler.nanoTime();
    problem = "recovering: " + reason;
    log.lost(reason, registrations);
    return attemptNow();
  }

  /**
   * Registering could not reach etcd before a lease was held: counts {@code failure} as the first
   * failed attempt and goes on as after a loss (attempts, and probes while etcd does not answer),
   * so what is held is put as soon as etcd answers.
   */
  public void registrationFailed(String reason, RuntimeException failure) {
    if (state != State.NO_LEASE) {
      return;
    }
    state = State.RECOVERING;
    failedAttempts = 0;
    lostAtNanos = scheduler.nanoTime();
    problem = reason;
    failed(failure);
  }

  /**
   * One attempt now instead of the scheduled one (a caller registers meanwhile, or etcd answers
   * again). Returns its failure, or null when it succeeded or nothing is being recovered.
   */
  public RuntimeException attemptNow() {
    nextAttempt.cancel();
    nextProbe.cancel();
    if (state != State.RECOVERING) {
      return null;
    }
    Recovered recovered;
    try {
      recovered = attempt.run();
    } catch (RuntimeException failure) {
      failed(failure);
      return failure;
    }
    state = State.LEASED;
    recoveries++;
    problem = null;
    log.recovered(
        recovered.registrations(),
        recovered.leaseId(),
        recovered.leaseKept(),
        failedAttempts,
        Duration.ofNanos(scheduler.nanoTime() - lostAtNanos));
    failedAttempts = 0;
    return null;
  }

  private void failed(RuntimeException failure) {
    failedAttempts++;
    problem =
        "re-registering failed " + failedAttempts + " time(s) in a row: " + failure.getMessage();
    Duration retryIn;
    if (retry.exhaustedBy(failedAttempts)) {
      retryIn = retry.observeDelay();
      if (failedAttempts == retry.maxAttemptTimes()) {
        log.exhausted(failedAttempts, failure, retryIn);
      } else {
        log.attemptFailed(failedAttempts, retry.maxAttemptTimes(), failure, retryIn);
      }
    } else {
      retryIn = backoff.spread(retry.retryDelay());
      log.attemptFailed(failedAttempts, retry.maxAttemptTimes(), failure, retryIn);
    }
    nextAttempt.schedule(this::attemptNow, retryIn);
    if (isUnreachable(failure)) {
      nextProbe.schedule(this::probe, PROBE_INTERVAL);
    }
  }

  private void probe() {
    if (state != State.RECOVERING) {
      return;
    }
    long started = scheduler.nanoTime();
    if (etcdAnswers.getAsBoolean()) {
      attemptNow();
    } else {
      // one probe started each interval, however long the failed one waited for its answer: etcd
      // coming back while a probe hangs is seen within one interval, not two
      Duration waited = Duration.ofNanos(scheduler.nanoTime() - started);
      Duration rest = PROBE_INTERVAL.minus(waited);
      nextProbe.schedule(this::probe, rest.isNegative() ? Duration.ZERO : rest);
    }
  }

  private static boolean isUnreachable(RuntimeException failure) {
    return failure instanceof RegistryException e
        && e.reason() == RegistryException.Reason.UNREACHABLE;
  }

  /** Failed attempts in a row in the current recovery. */
  public int failedAttempts() {
    return failedAttempts;
  }

  /** How many recoveries succeeded. */
  public long recoveries() {
    return recoveries;
  }

  /** Why registrations are not all in etcd right now, or null. */
  public String problem() {
    return problem;
  }

  /** Stops: nothing is attempted any more. */
  public void close() {
    state = State.CLOSED;
    nextAttempt.cancel();
    nextProbe.cancel();
  }
}
