package dev.registryetcd.testkit;

/**
 * One direction of the traffic through a {@link TcpProxy} in front of an etcd member.
 *
 * <p>Faults are set per direction because real partitions are often asymmetric: a member that still
 * receives but can no longer send behaves differently from one that can do neither.
 */
public enum Direction {
  /** Bytes from whoever connected to the proxy (a client, or another member) toward the member. */
  TO_MEMBER,
  /** Bytes from the member back to whoever connected to the proxy. */
  FROM_MEMBER;

  /** The name used in thread names and messages: {@code to-member} / {@code from-member}. */
  String label() {
    return this == TO_MEMBER ? "to-member" : "from-member";
  }
}
