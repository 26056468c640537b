package dev.registryetcd.gray;

import dev.registryetcd.testkit.EtcdCluster;
import java.time.Duration;

/**
 * The cluster of the gray-failure tests: three members behind the test kit's proxies, with etcd's
 * own default timing (heartbeat 100 ms, election timeout 1 s) rather than the kit's faster one, so
 * that elections take as long as in production.
 */
final class GrayCluster {
  private GrayCluster() {}

  static EtcdCluster.Builder builder() {
    return EtcdCluster.builder()
        .members(3)
        .networkFaults()
        .heartbeatInterval(Duration.ofMillis(100))
        .electionTimeout(Duration.ofMillis(1000));
  }
}
