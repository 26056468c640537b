package dev.registryetcd.testkit;

import java.time.Duration;

/**
 * What a {@link TcpProxy} does with the bytes of one {@link Direction}: an immutable value, so a
 * proxy's state can be read and compared without locks.
 */
public sealed interface Fault permits Fault.Pass, Fault.Blackhole, Fault.Delay {

  /** Forward every byte at once (the state after {@link TcpProxy#heal()}). */
  static Fault pass() {
    return Pass.INSTANCE;
  }

  /** Keep connections open but forward nothing: bytes read are dropped. */
  static Fault blackhole() {
    return Blackhole.INSTANCE;
  }

  /** Forward each chunk {@code delay} after it was read, in order. */
  static Fault delay(Duration delay) {
    return new Delay(delay);
  }

  /** Forward at once. */
  record Pass() implements Fault {
    private static final Pass INSTANCE = new Pass();

    @Override
    public String toString() {
      return "pass";
    }
  }

  /** Drop everything; the connection stays open. */
  record Blackhole() implements Fault {
    private static final Blackhole INSTANCE = new Blackhole();

    @Override
    public String toString() {
      return "blackhole";
    }
  }

  /** Forward each chunk after {@code delay}; order is kept. */
  record Delay(Duration delay) implements Fault {
    public Delay {
      Durations.requirePositive(delay, "delay");
    }

    @Override
    public String toString() {
      return "delay " + Durations.format(delay);
    }
  }
}
