package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * The kit's own calls to etcd's client API: JSON over plain HTTP to each member's own client port,
 * past the network-fault proxies, to whichever running member answers first.
 */
final class MemberCalls {
  private MemberCalls() {}

  /** One call to the member at {@code endpoint}. */
  interface Call {
    EtcdHttp.Response call(String endpoint) throws IOException;
  }

  /**
   * Calls each member that runs, in turn, until one answers 200 or {@code bound} passes.
   *
   * @param failure what the error says could not be done, e.g. {@code "KeyHistory could not put k"}
   * @throws IllegalStateException naming {@code failure}, the cluster and the last answer or error
   */
  static EtcdHttp.Response untilAnswered(
      EtcdCluster cluster, String failure, Duration bound, Call call) {
    long deadline = Durations.deadline(bound);
    String last = "no member running";
    while (true) {
      for (String endpoint : endpoints(cluster)) {
        try {
          EtcdHttp.Response response = call.call(endpoint);
          if (response.status() == 200) {
            return response;
          }
          last = endpoint + " answered " + response.status() + ": " + response.body();
        } catch (IOException | UncheckedIOException e) {
          last = endpoint + ": " + e;
        }
      }
      if (Durations.passed(deadline)) {
        throw new IllegalStateException(
            failure
                + " on etcd cluster "
                + cluster.name()
                + " within "
                + Durations.format(bound)
                + " (last: "
                + last
                + ")");
      }
      Durations.pause();
    }
  }

  /** The direct client endpoints of the members that run and are not frozen. */
  static List<String> endpoints(EtcdCluster cluster) {
    cluster.requireStarted();
    return cluster.members().stream()
        .filter(m -> m.isRunning() && !m.isFrozen())
        .map(EtcdMember::directClientEndpoint)
        .toList();
  }
}
