package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks free ports on 127.0.0.1 for a cluster's members. A port is free when picked, not when etcd
 * binds it: a member that then finds it taken fails with {@link PortConflict}, and the cluster
 * picks again.
 */
final class FreePorts {

  private FreePorts() {}

  /**
   * Gives each member a client and a peer port and, with {@code metricsPorts} (TLS clusters), a
   * plain-HTTP metrics port.
   */
  static void assign(List<EtcdMember> members, boolean metricsPorts) {
    int perMember = metricsPorts ? 3 : 2;
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
      for (int i = 0; i < members.size() * perMember; i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(loopback, 0));
      }
      for (int i = 0; i < members.size(); i++) {
        int first = perMember * i;
        members
            .get(i)
            .assignPorts(
                sockets.get(first).getLocalPort(),
                sockets.get(first + 1).getLocalPort(),
                metricsPorts ? sockets.get(first + 2).getLocalPort() : -1);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not pick free ports on 127.0.0.1: " + e.getMessage(), e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }
  }
}
