package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.DurationText;
import dev.registryetcd.cli.demo.ChangeLog.Received;
import dev.registryetcd.grpc.GrpcRegistration;
import java.time.Duration;

/**
 * Steps 3 and 4: a server leaves gracefully, another is killed, while the client keeps calling;
 * each is timed until the client's resolver reports the instance removed, and the calls around it
 * are counted.
 */
final class Removals {
  private final Narration say;
  private final ChangeLog changes;
  private final Duration wait;
  private final int callsAfter;

  /**
   * @param changes the resolver's changes of the service, as the demo's subscription received them
   * @param wait the bound of each wait
   * @param callsAfter calls the client makes after a removal, to show it carries on
   */
  Removals(Narration say, ChangeLog changes, Duration wait, int callsAfter) {
    this.say = say;
    this.changes = changes;
    this.wait = wait;
    this.callsAfter = callsAfter;
  }

  void gracefulShutdown(EchoCaller caller, GrpcRegistration b, String bAddress)
      throws InterruptedException {
    EchoCaller.Tally before = caller.tally();
    long began = System.nanoTime();
    b.close();
    long returned = System.nanoTime();
    say.line(
        "b's GrpcRegistration.close(): deregistered b, let its calls finish, stopped its server: %s",
        Narration.time(returned - began));
    long removed = awaitRemoval(bAddress, began, wait);
    say.line(
        "the client's resolver saw b removed %s after close() began (etcd's watch pushes it; nothing polls)",
        Narration.time(removed - began));
    Long lastFromB = caller.lastReplyNanos("b");
    if (lastFromB != null && lastFromB > began) {
      say.line(
          "b answered until %s after close() began: it served while its removal travelled to the client",
          Narration.time(lastFromB - began));
    }
    caller.awaitCalls(caller.calls() + callsAfter, wait);
    EchoCaller.Tally during = caller.tally().since(before);
    say.line(
        "calls from close() until %d calls after the removal: %d, failed: %d%s; replies: %s",
        callsAfter, during.calls(), during.failed(), failures(during), replies(during));
  }

  /** Kills c, whose key then stays until its lease of {@code childLeaseTtl} expires. */
  void kill(EchoCaller caller, ChildServer c, String cAddress, Duration childLeaseTtl)
      throws InterruptedException {
    EchoCaller.Tally before = caller.tally();
    long killed = System.nanoTime();
    if (!c.kill(wait)) {
      throw new IllegalStateException(
          "demo: c (pid " + c.pid() + ") did not exit within " + wait.toSeconds() + "s of SIGKILL");
    }
    long gone = System.nanoTime();
    say.line(
        "killed c (pid %d) with Process.destroyForcibly(): gone %s later; its key stays in etcd until its "
            + "lease expires",
        c.pid(), Narration.time(gone - killed));
    long removed = awaitRemoval(cAddress, killed, childLeaseTtl.plus(wait));
    long took = removed - killed;
    boolean met = took <= childLeaseTtl.plusSeconds(1).toNanos();
    say.line(
        "the client's resolver saw c removed %s after the kill (lease TTL %s; within TTL + 1s: %s)",
        Narration.time(took), DurationText.format(childLeaseTtl), met ? "yes" : "NO");
    caller.awaitCalls(caller.calls() + callsAfter, wait);
    EchoCaller.Tally during = caller.tally().since(before);
    long inFlight = caller.failuresInFlightDuring(killed, gone);
    say.line(
        "calls from the kill until %d calls after the removal: %d, failed: %d%s%s; replies: %s",
        callsAfter,
        during.calls(),
        during.failed(),
        failures(during),
        during.failed() == 0
            ? ""
            : inFlight == during.failed()
                ? ", in flight while c died"
                : ", " + inFlight + " of them in flight while c died",
        replies(during));
  }

  /**
   * Waits for the change removing {@code address}; returns when it arrived ({@link
   * System#nanoTime()}).
   */
  private long awaitRemoval(String address, long since, Duration bound)
      throws InterruptedException {
    long deadline = since + bound.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Received received = left > 0 ? changes.next(Duration.ofNanos(left)) : null;
      if (received == null) {
        throw new IllegalStateException(
            "demo: the resolver did not report "
                + address
                + " removed within "
                + DurationText.format(bound));
      }
      if (received.error() != null) {
        say.item(
            "the resolver lost etcd (%s) and keeps serving what it knew",
            received.error().getMessage());
      } else if (received.change().removed().stream().anyMatch(i -> i.address().equals(address))) {
        return received.nanos();
      }
    }
  }

  /**
   * {@code " (UNAVAILABLE: io exception)"}, {@code " (2x UNAVAILABLE: ..., 1x ...)"}, or nothing.
   */
  private static String failures(EchoCaller.Tally tally) {
    if (tally.failures().isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder(" (");
    tally
        .failures()
        .forEach(
            (status, count) ->
                text.append(text.length() > 2 ? ", " : "")
                    .append(count == 1 && tally.failures().size() == 1 ? "" : count + "x ")
                    .append(status));
    return text.append(')').toString();
  }

  /** {@code "a 110, b 5, c 209"}. */
  private static String replies(EchoCaller.Tally tally) {
    StringBuilder text = new StringBuilder();
    tally
        .replies()
        .forEach(
            (server, count) ->
                text.append(text.length() > 0 ? ", " : "")
                    .append(server)
                    .append(' ')
                    .append(count));
    return text.length() == 0 ? "none" : text.toString();
  }
}
