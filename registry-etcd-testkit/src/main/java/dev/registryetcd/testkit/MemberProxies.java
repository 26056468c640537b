package dev.registryetcd.testkit;

import java.net.Socket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntSupplier;

/**
 * The two {@link TcpProxy proxies} of one member of a cluster with network faults, one in front of
 * its client port and one in front of its peer port, and the member's isolation from its peers.
 */
final class MemberProxies {

  private final EtcdCluster cluster;
  private final EtcdMember member;
  private volatile TcpProxy clientProxy;
  private volatile TcpProxy peerProxy;
  private volatile boolean isolated;

  MemberProxies(EtcdCluster cluster, EtcdMember member) {
    this.cluster = cluster;
    this.member = member;
  }

  /** Opens both proxies; their targets are read per connection, so ports may change. */
  void open(IntSupplier clientPort, IntSupplier peerPort) {
    clientProxy = TcpProxy.open(member.name() + " client", clientPort, socket -> null);
    peerProxy =
        TcpProxy.open(
            member.name() + " peer", peerPort, socket -> dialerOf(cluster.members(), socket));
  }

  void close() {
    for (TcpProxy proxy : new TcpProxy[] {clientProxy, peerProxy}) {
      if (proxy != null) {
        proxy.close();
      }
    }
  }

  /** The client proxy, or null without network faults. */
  TcpProxy clientOrNull() {
    return clientProxy;
  }

  /** The peer proxy, or null without network faults. */
  TcpProxy peerOrNull() {
    return peerProxy;
  }

  TcpProxy client() {
    return require(clientProxy, "clientProxy()");
  }

  TcpProxy peer() {
    return require(peerProxy, "peerProxy()");
  }

  /** The steps of {@link EtcdMember#isolateFromPeers()}. */
  void isolate(MemberLog log) {
    TcpProxy own = peer();
    if (!SocketOwners.supported()) {
      throw new UnsupportedOperationException(
          "isolateFromPeers() needs Linux's /proc/net/tcp to tell which member dialed a peer"
              + " connection; use peerProxy().blackhole() for a one-sided cut");
    }
    isolated = true;
    own.blackhole();
    for (EtcdMember other : cluster.members()) {
      if (other != member) {
        other.peerProxy().blackholeFrom(member.name());
      }
    }
    log.marker("isolated from peers (network faults)");
  }

  /** The steps of {@link EtcdMember#healPeers()}. */
  void healPeers(MemberLog log) {
    TcpProxy own = peer();
    own.heal();
    for (EtcdMember other : cluster.members()) {
      if (other != member) {
        other.peerProxy().healFrom(member.name());
      }
    }
    if (isolated) {
      isolated = false;
      log.marker("peers healed (network faults)");
    }
  }

  boolean isolated() {
    return isolated;
  }

  private TcpProxy require(TcpProxy proxy, String method) {
    cluster.requireStarted();
    if (!cluster.hasNetworkFaults()) {
      throw new IllegalStateException(
          "etcd cluster "
              + cluster.name()
              + " has no network faults: "
              + method
              + " of member "
              + member.name()
              + " needs a cluster built with EtcdCluster.builder().networkFaults()");
    }
    return proxy;
  }

  /**
   * Names the member that dialed a connection accepted by a peer proxy, or null: the running member
   * whose process owns the dialing socket.
   */
  static String dialerOf(List<EtcdMember> members, Socket accepted) {
    Map<Long, EtcdMember> byPid = new HashMap<>();
    for (EtcdMember m : members) {
      if (m.isRunning()) {
        byPid.put(m.pid(), m);
      }
    }
    OptionalLong pid =
        SocketOwners.dialer(accepted.getPort(), accepted.getLocalPort(), byPid.keySet());
    return pid.isPresent() ? byPid.get(pid.getAsLong()).name() : null;
  }
}
