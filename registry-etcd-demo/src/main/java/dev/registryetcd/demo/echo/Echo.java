package dev.registryetcd.demo.echo;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The smallest gRPC service, for demos, examples and tests: one unary method, {@value
 * #FULL_METHOD_NAME}, taking a string and answering {@code "<server name>: <message>"}, so a caller
 * sees which server took each call.
 *
 * <pre>{@code
 * Server server = NettyServerBuilder.forPort(8888).addService(Echo.service("a")).build().start();
 * ...
 * String reply = Echo.call(channel, "Hello", Duration.ofSeconds(3)); // "a: Hello"
 * }</pre>
 *
 * <p>The method descriptor is built by hand with a UTF-8 string marshaller instead of generated
 * from a {@code .proto} file: no protoc plugin in the build and no protobuf message classes keep
 * the build lean and fast, and a string is all a demo needs. Any gRPC client can still call it with
 * the same method name and raw UTF-8 bytes as messages.
 */
public final class Echo {
  /** The gRPC service name: {@value}. */
  public static final String SERVICE_NAME = "registry.etcd.Echo";

  /** The full method name: {@value}. */
  public static final String FULL_METHOD_NAME = SERVICE_NAME + "/Echo";

  private static final MethodDescriptor.Marshaller<String> UTF8 =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read an Echo message", e);
          }
        }
      };

  /**
   * The unary method {@value #FULL_METHOD_NAME}, UTF-8 string in and out: for asynchronous or
   * custom calls.
   */
  public static final MethodDescriptor<String, String> METHOD =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(FULL_METHOD_NAME)
          .setRequestMarshaller(UTF8)
          .setResponseMarshaller(UTF8)
          .build();

  private Echo() {}

  /**
   * The Echo service of a server called {@code serverName}: it answers every message with {@code
   * serverName + ": " + message}, on the server's executor.
   */
  public static ServerServiceDefinition service(String serverName) {
    Objects.requireNonNull(serverName, "serverName");
    return ServerServiceDefinition.builder(SERVICE_NAME)
        .addMethod(
            METHOD,
            ServerCalls.asyncUnaryCall(
                (message, reply) -> {
                  reply.onNext(serverName + ": " + message);
                  reply.onCompleted();
                }))
        .build();
  }

  /**
   * Sends {@code message} through {@code channel} and waits for the reply, at most {@code
   * deadline}.
   *
   * @throws io.grpc.StatusRuntimeException when the call fails, e.g. {@code UNAVAILABLE} when no
   *     server can be reached or {@code DEADLINE_EXCEEDED}
   * @throws IllegalArgumentException when {@code deadline} is not positive
   */
  public static String call(Channel channel, String message, Duration deadline) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(message, "message");
    if (deadline == null || deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline must be positive, not " + deadline);
    }
    return ClientCalls.blockingUnaryCall(
        channel,
        METHOD,
        CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS),
        message);
  }
}
