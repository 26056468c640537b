package dev.registryetcd.grpc;

import dev.registryetcd.demo.echo.Echo;
import io.grpc.Channel;
import io.grpc.ForwardingServerCallListener;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Netty gRPC server on 127.0.0.1 and a free port serving {@link Echo} under its own name, so
 * tests see which server took a call. It counts calls, and a message {@value #HOLD} is answered
 * only once {@link #release()} is called: an in-flight call the test controls.
 */
final class EchoServer implements AutoCloseable {
  /** The message a server holds until {@link #release()}. */
  static final String HOLD = "hold";

  final String name;
  private final Server server;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger held = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private InetSocketAddress address;

  private EchoServer(String name) {
    this.name = name;
    this.server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(ServerInterceptors.intercept(Echo.service(name), new CountAndHold()))
            .build();
  }

  static EchoServer start(String name) {
    EchoServer echo = new EchoServer(name);
    try {
      echo.server.start();
      echo.address = (InetSocketAddress) echo.server.getListenSockets().get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return echo;
  }

  /** One call through {@code channel}, answered by the name of the server that took it. */
  static String call(Channel channel) {
    return serverOf(Echo.call(channel, "hi", Duration.ofSeconds(5)), "hi");
  }

  /** The name of the server that answered {@code message} with {@code reply}. */
  static String serverOf(String reply, String message) {
    String suffix = ": " + message;
    if (!reply.endsWith(suffix)) {
      throw new AssertionError("not an Echo reply to '" + message + "': " + reply);
    }
    return reply.substring(0, reply.length() - suffix.length());
  }

  Server server() {
    return server;
  }

  InetSocketAddress address() {
    return address;
  }

  int calls() {
    return calls.get();
  }

  int held() {
    return held.get();
  }

  void release() {
    release.countDown();
  }

  @Override
  public void close() {
    release();
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return name + "@" + address;
  }

  /**
   * Counts each call as Echo is about to answer it, and holds {@value #HOLD} there until released.
   */
  private final class CountAndHold implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
          next.startCall(call, headers)) {
        private boolean hold; // the listener's callbacks are serialized: no lock needed

        @Override
        public void onMessage(Q message) {
          hold = HOLD.equals(message);
          super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
          // A unary handler answers on half-close: holding here holds the reply, as a slow handler
          // would.
          calls.incrementAndGet();
          if (hold) {
            held.incrementAndGet();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          super.onHalfClose();
        }
      };
    }
  }
}
