package dev.registryetcd.etcd;

import static org.awaitility.Awaitility.await;

import dev.registryetcd.testkit.EtcdCluster;
import dev.registryetcd.testkit.EtcdMember;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When etcd has dropped every simple auth token it gave a user, read from its log: a member started
 * with {@code --log-level=debug} logs each token it hands out ("authenticated a user") and each its
 * TTL keeper drops ("deleted a simple token"). For tests that let tokens expire ({@code
 * EtcdCluster.builder().authTokenTtl(...)}) without a fixed sleep.
 */
public final class AuthTokens {
  /** The member flag these waits need. */
  public static final String DEBUG_LOG = "--log-level=debug";

  private AuthTokens() {}

  /**
   * One member whose tokens expire after 2 s unused, logging what these waits read, behind the
   * kit's proxies so that a test can break its connections.
   */
  public static EtcdCluster.Builder expiringAfterTwoSeconds() {
    return EtcdCluster.builder()
        .authTokenTtl(Duration.ofSeconds(2))
        .extraFlags(List.of(DEBUG_LOG))
        .networkFaults();
  }

  /** Waits (at most 30 s) until every token etcd has given {@code user} so far has expired. */
  public static void awaitAllExpired(EtcdMember member, String user) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              String log = Files.readString(member.logFile());
              Set<String> given = tokens(log, "authenticated a user", user);
              return !given.isEmpty()
                  && tokens(log, "deleted a simple token", user).containsAll(given);
            });
  }

  private static Set<String> tokens(String log, String message, String user) throws IOException {
    Pattern line =
        Pattern.compile(
            "\"msg\":\""
                + Pattern.quote(message)
                + "\",\"user-name\":\""
                + Pattern.quote(user)
                + "\",\"token\":\"([^\"]+)\"");
    Set<String> tokens = new HashSet<>();
    Matcher matcher = line.matcher(log);
    while (matcher.find()) {
      tokens.add(matcher.group(1));
    }
    return tokens;
  }
}
