package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;

/**
 * Finds which local process dialed a loopback TCP connection, from Linux's {@code /proc}: the
 * dialer's socket is the {@code /proc/net/tcp} entry whose local port is the accepted connection's
 * remote port and whose remote port is the proxy's port; its inode is linked from one of the
 * process's {@code /proc/<pid>/fd} entries.
 *
 * <p>The peer proxies use it to learn which member dialed them. etcd 3.4 names itself on its raft
 * stream requests ({@code GET /raft/stream/message/<id>} with {@code X-Server-From: <id>}), but not
 * on all peer requests (its prober's {@code GET /raft/probing} and the {@code GET /version} checks
 * carry no such header, seen on the wire), and Go reuses keep-alive connections for several
 * requests, so sniffing the first request of a connection would not reliably name the dialer. The
 * kernel does, for every connection, and also for TLS peers.
 */
final class SocketOwners {

  private static final List<Path> TABLES =
      List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

  private SocketOwners() {}

  /** True where the lookup can work (Linux with /proc). */
  static boolean supported() {
    return Files.isReadable(TABLES.get(0));
  }

  /**
   * The pid among {@code candidates} holding the socket connected from local port {@code
   * dialerPort} to remote port {@code acceptedPort}, or empty.
   */
  static OptionalLong dialer(int dialerPort, int acceptedPort, Collection<Long> candidates) {
    String inode = inode(dialerPort, acceptedPort);
    if (inode == null) {
      return OptionalLong.empty();
    }
    String link = "socket:[" + inode + "]";
    for (long pid : candidates) {
      try (DirectoryStream<Path> fds =
          Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
        for (Path fd : fds) {
          try {
            if (link.equals(Files.readSymbolicLink(fd).toString())) {
              return OptionalLong.of(pid);
            }
          } catch (IOException | UncheckedIOException closedMeanwhile) {
            // the fd went away while we listed: not ours
          }
        }
      } catch (IOException | UncheckedIOException gone) {
        // the process exited
      }
    }
    return OptionalLong.empty();
  }

  /** Inode of the socket with that local and remote port, or null. */
  private static String inode(int localPort, int remotePort) {
    for (Path table : TABLES) {
      List<String> lines;
      try {
        lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        continue;
      }
      for (int i = 1; i < lines.size(); i++) {
        String[] f = lines.get(i).trim().split("\\s+");
        if (f.length > 9 && port(f[1]) == localPort && port(f[2]) == remotePort) {
          return f[9];
        }
      }
    }
    return null;
  }

  /** The port of {@code HEXADDR:HEXPORT}. */
  private static int port(String address) {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1), 16);
  }
}
