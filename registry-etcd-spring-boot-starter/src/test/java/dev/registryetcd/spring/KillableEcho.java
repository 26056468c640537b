package dev.registryetcd.spring;

import java.util.List;

/** {@link TestApp} in a process of its own, for {@link KilledInstanceTest} to SIGKILL. */
public final class KillableEcho {
  private KillableEcho() {}

  /** Arguments: properties, {@code name=value}. */
  public static void main(String[] args) {
    TestApp.start(List.of(), args);
  }
}
