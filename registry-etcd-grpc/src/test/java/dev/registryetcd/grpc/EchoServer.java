package dev.registryetcd.grpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.InsecureServerCredentials;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Netty gRPC server on 127.0.0.1 and a free port, answering {@link #METHOD} with its own
 * name, so tests see which server took a call without protobuf. A request {@code "hold"} is
 * answered only once {@link #release()} is called: an in-flight call the test controls.
 */
final class EchoServer implements AutoCloseable {
  static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", "Name"))
      .setRequestMarshaller(UTF8)
      .setResponseMarshaller(UTF8)
      .build();

  final String name;
  private final Server server;
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger held = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private InetSocketAddress address;

  private EchoServer(String name) {
    this.name = name;
    ServerServiceDefinition service = ServerServiceDefinition.builder("test.Echo")
        .addMethod(METHOD, ServerCalls.asyncUnaryCall((request, response) -> {
          calls.incrementAndGet();
          if (request.equals("hold")) {
            held.incrementAndGet();
            try {
              release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          response.onNext(name);
          response.onCompleted();
        }))
        .build();
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0),
            InsecureServerCredentials.create())
        .addService(service)
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
    return ClientCalls.blockingUnaryCall(channel, METHOD, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        "hi");
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
}
