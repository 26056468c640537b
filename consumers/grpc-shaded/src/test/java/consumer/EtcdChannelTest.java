package consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.grpc.EtcdNameResolverProvider;
import dev.registryetcd.grpc.EtcdWeightedRoundRobinLoadBalancerProvider;
import dev.registryetcd.grpc.GrpcRegistration;
import dev.registryetcd.testkit.EtcdCluster;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EtcdChannelTest {

  private static final MethodDescriptor.Marshaller<String> TEXT =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
          return new ByteArrayInputStream(value.getBytes(UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
          try {
            return new String(stream.readAllBytes(), UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private static final MethodDescriptor<String, String> SAY =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName("consumer.Echo", "Say"))
          .setRequestMarshaller(TEXT)
          .setResponseMarshaller(TEXT)
          .build();

  @Test
  void callsOverEtcd() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      List<String> endpoints = etcd.clientEndpointsAsHostPort();
      ServerServiceDefinition echo =
          ServerServiceDefinition.builder("consumer.Echo")
              .addMethod(
                  SAY,
                  ServerCalls.asyncUnaryCall(
                      (request, response) -> {
                        response.onNext("echo " + request);
                        response.onCompleted();
                      }))
              .build();
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(echo)
              .build()
              .start();
      try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(endpoints);
          EtcdNameResolverProvider etcdNames = EtcdNameResolverProvider.forEndpoints(endpoints);
          GrpcRegistration registration =
              GrpcRegistration.register(server, registry, "echo", 10, null)) {
        etcdNames.registerAsDefault();
        ManagedChannel channel =
            NettyChannelBuilder.forTarget("etcd:///echo")
                .defaultLoadBalancingPolicy(EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
                .usePlaintext()
                .build();
        try {
          String answer =
              ClientCalls.blockingUnaryCall(
                  channel,
                  SAY,
                  CallOptions.DEFAULT.withWaitForReady().withDeadlineAfter(20, TimeUnit.SECONDS),
                  "hi");
          assertEquals("echo hi", answer);
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      } finally {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
