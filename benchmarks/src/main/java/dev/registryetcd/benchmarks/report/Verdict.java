package dev.registryetcd.benchmarks.report;

/** Whether a figure met its target. */
public enum Verdict {
  MET("met"),
  NOT_MET("NOT MET"),
  /** A figure reported for context, with no target. */
  INFO("info"),
  /** The scenario did not run to the end; the row says why. */
  ERROR("ERROR");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** {@link #MET} when {@code met}, else {@link #NOT_MET}. */
  public static Verdict of(boolean met) {
    return met ? MET : NOT_MET;
  }

  public String label() {
    return label;
  }
}
