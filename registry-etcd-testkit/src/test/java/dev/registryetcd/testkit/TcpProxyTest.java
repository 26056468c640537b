package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy on its own, in front of an echo server: no etcd needed. */
class TcpProxyTest {

  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final int SILENCE_MILLIS = 300;

  private EchoServer echo;
  private TcpProxy proxy;
  private final List<Socket> clients = new ArrayList<>();

  @BeforeEach
  void openProxyInFrontOfAnEchoServer() throws IOException {
    echo = new EchoServer();
    proxy = TcpProxy.open("test", echo::port, socket -> null);
  }

  @AfterEach
  void close() throws IOException {
    proxy.close();
    echo.close();
    for (Socket s : clients) {
      s.close();
    }
  }

  @Test
  void forwardsBytesBothWays() throws IOException {
    connectAndEcho("ping");
    assertThat(proxy.fault(Direction.TO_MEMBER)).isEqualTo(Fault.pass());
  }

  @Test
  void blackholedProxyAcceptsNewConnectionsButForwardsNothing() throws IOException {
    proxy.blackhole();
    Socket client = connect();
    send(client, "lost");
    assertSilent(client);
    assertThat(echo.received()).isEmpty();
    assertThat(proxy.openConnections()).isEqualTo(1);
  }

  @Test
  void blackholeFromMemberLetsTheMemberReceiveButNotAnswer() throws IOException {
    proxy.blackhole(Direction.FROM_MEMBER);
    Socket client = connect();
    send(client, "one-way");
    await().atMost(BOUND).until(echo::received, "one-way"::equals);
    assertSilent(client);
  }

  @Test
  void healResetsConnectionsThatLostBytesAndKeepsTheOthers() throws IOException {
    Socket clean = connectAndEcho("a");
    proxy.blackhole();
    Socket lossy = connect();
    send(lossy, "dropped");
    await().atMost(BOUND).until(() -> proxy.openConnections() == 2);

    proxy.heal();

    assertThatThrownBy(() -> read(lossy, 1))
        .as("a stream with a hole must not go on")
        .isInstanceOf(SocketException.class);
    send(clean, "b");
    assertThat(read(clean, 1)).isEqualTo("b");
    connectAndEcho("c");
  }

  @Test
  void delayShiftsEveryChunkByTheDelayWithoutAddingUpAndKeepsOrder() throws IOException {
    Duration delay = Duration.ofMillis(400);
    proxy.delay(Direction.TO_MEMBER, delay);
    Socket client = connect();
    long start = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      send(client, Integer.toString(i)); // five chunks, each delayed on its own
    }
    String first = read(client, 1);
    Duration firstAfter = Duration.ofNanos(System.nanoTime() - start);
    String rest = read(client, 4);
    Duration allAfter = Duration.ofNanos(System.nanoTime() - start);

    assertThat(first + rest).isEqualTo("01234");
    assertThat(firstAfter).isGreaterThanOrEqualTo(delay);
    assertThat(allAfter).as("delays overlap, they do not add up").isLessThan(delay.multipliedBy(3));
  }

  @Test
  void resetSendsRstToBothSidesAndNewConnectionsWork() throws IOException {
    Socket client = connectAndEcho("x");

    proxy.reset();

    assertThatThrownBy(() -> read(client, 1))
        .isInstanceOf(SocketException.class)
        .hasMessageContaining("reset");
    await().atMost(BOUND).until(() -> !echo.endings().isEmpty());
    assertThat(echo.endings().get(0)).contains("reset");
    assertThat(proxy.openConnections()).isZero();
    connectAndEcho("y");
  }

  @Test
  void whenTheMemberIsDownAnAcceptedConnectionIsResetAsIfRefused() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(TcpProxy.loopback(), 0));
      closedPort = s.getLocalPort();
    }
    try (TcpProxy nowhere = TcpProxy.open("nowhere", () -> closedPort, socket -> null)) {
      Socket client = new Socket(TcpProxy.loopback(), nowhere.port());
      clients.add(client);
      client.setSoTimeout((int) BOUND.toMillis());
      assertThatThrownBy(() -> read(client, 1)).isInstanceOf(SocketException.class);
    }
  }

  @Test
  void closingTheProxyStopsAcceptingAndResetsItsConnections() throws IOException {
    Socket client = connectAndEcho("x");

    proxy.close();

    assertThatThrownBy(() -> read(client, 1)).isInstanceOf(SocketException.class);
    assertThatThrownBy(() -> new Socket(TcpProxy.loopback(), proxy.port()).close())
        .isInstanceOf(IOException.class);
  }

  /** A connection through the proxy that has carried {@code text} to the echo server and back. */
  private Socket connectAndEcho(String text) throws IOException {
    Socket s = connect();
    send(s, text);
    assertThat(read(s, text.length())).isEqualTo(text);
    return s;
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(TcpProxy.loopback(), proxy.port());
    clients.add(s);
    s.setSoTimeout((int) BOUND.toMillis());
    return s;
  }

  private static void send(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
  }

  /** Asserts that nothing arrives for a while (a bounded wait for silence). */
  private static void assertSilent(Socket s) throws IOException {
    s.setSoTimeout(SILENCE_MILLIS);
    try {
      assertThatThrownBy(() -> read(s, 1)).isInstanceOf(SocketTimeoutException.class);
    } finally {
      s.setSoTimeout((int) BOUND.toMillis());
    }
  }

  /** Reads exactly {@code n} bytes; end of stream is a SocketException saying so. */
  private static String read(Socket s, int n) throws IOException {
    byte[] bytes = new byte[n];
    InputStream in = s.getInputStream();
    int got = 0;
    while (got < n) {
      int r = in.read(bytes, got, n - got);
      if (r < 0) {
        throw new SocketException("end of stream after " + got + " bytes");
      }
      got += r;
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
