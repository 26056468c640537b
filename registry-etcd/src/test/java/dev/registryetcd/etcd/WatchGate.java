package dev.registryetcd.etcd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds back the watch requests a jetcd client sends while closed, and sends them when opened: a
 * test can then change and compact etcd between a resolver's read and the start of its watch,
 * exactly as a slow network would.
 */
final class WatchGate implements ClientInterceptor {
  private final List<Runnable> held = new ArrayList<>();
  private boolean closed;
  private int heldCount;

  synchronized void close() {
    closed = true;
  }

  /** Sends what was held, in order. */
  void open() {
    List<Runnable> release;
    synchronized (this) {
      closed = false;
      release = new ArrayList<>(held);
      held.clear();
    }
    release.forEach(Runnable::run);
  }

  synchronized int heldCount() {
    return heldCount;
  }

  private synchronized boolean hold(Runnable send) {
    if (!closed) {
      return false;
    }
    held.add(send);
    heldCount++;
    return true;
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(
      MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    ClientCall<Q, A> call = next.newCall(method, options);
    if (!method.getFullMethodName().endsWith("Watch/Watch")) {
      return call;
    }
    return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
      @Override
      public void sendMessage(Q message) {
        if (!hold(() -> delegate().sendMessage(message))) {
          super.sendMessage(message);
        }
      }

      @Override
      public void halfClose() {
        if (!hold(() -> delegate().halfClose())) {
          super.halfClose();
        }
      }
    };
  }
}
