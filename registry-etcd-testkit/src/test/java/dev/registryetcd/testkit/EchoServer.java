package dev.registryetcd.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP server that echoes what it reads and remembers it, and remembers how its
 * connections ended: the far side of a {@link TcpProxy} in tests that need no etcd.
 */
final class EchoServer implements AutoCloseable {

  private final ServerSocket server;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final List<String> endings = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  EchoServer() throws IOException {
    server = new ServerSocket();
    server.bind(new InetSocketAddress(TcpProxy.loopback(), 0));
    Thread acceptor = new Thread(this::accept, "echo-server accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Everything read so far, from every connection. */
  String received() {
    synchronized (received) {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  /** "eof" or the exception's class and message, per ended connection. */
  List<String> endings() {
    return List.copyOf(endings);
  }

  int connections() {
    return sockets.size();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        sockets.add(socket);
        Thread echo = new Thread(() -> echo(socket), "echo-server connection");
        echo.setDaemon(true);
        echo.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void echo(Socket socket) {
    byte[] buffer = new byte[8192];
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          endings.add("eof");
          return;
        }
        synchronized (received) {
          received.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      endings.add(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket s : sockets) {
      s.close();
    }
  }
}
