package dev.registryetcd.demo.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real Netty server and channel on loopback: Echo's wire contract. */
class EchoTest {
  private static Server server;
  private static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .addService(Echo.service("a"))
            .build()
            .start();
    int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void replyIsTheServerNameAndTheMessage() {
    assertThat(Echo.call(channel, "Hello", Duration.ofSeconds(5))).isEqualTo("a: Hello");
  }

  @Test
  void messagesTravelAsUtf8() {
    assertThat(Echo.call(channel, "grüße, 你好 🙂", Duration.ofSeconds(5)))
        .isEqualTo("a: grüße, 你好 🙂");
  }

  @Test
  void methodIsUnaryRegistryEtcdEchoSlashEcho() {
    assertThat(Echo.METHOD.getFullMethodName()).isEqualTo("registry.etcd.Echo/Echo");
    assertThat(Echo.METHOD.getType()).isEqualTo(io.grpc.MethodDescriptor.MethodType.UNARY);
    assertThat(Echo.service("a").getServiceDescriptor().getName()).isEqualTo("registry.etcd.Echo");
  }

  @Test
  void callToAServerWithoutEchoFailsWithUnimplemented() throws Exception {
    Server other =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
            .build()
            .start();
    ManagedChannel toOther =
        ManagedChannelBuilder.forAddress(
                "127.0.0.1", ((InetSocketAddress) other.getListenSockets().get(0)).getPort())
            .usePlaintext()
            .build();
    try {
      assertThatThrownBy(() -> Echo.call(toOther, "Hello", Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    } finally {
      toOther.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      other.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void nonPositiveDeadlineIsRefusedNamingTheParameter() {
    assertThatThrownBy(() -> Echo.call(channel, "Hello", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deadline must be positive");
  }
}
