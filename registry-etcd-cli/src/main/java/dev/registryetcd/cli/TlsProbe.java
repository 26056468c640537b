package dev.registryetcd.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Finds out whether an etcd endpoint that a plaintext client cannot reach speaks TLS, so that the
 * failure can say "give --cacert" instead of "is it running?". It only opens a TLS handshake and
 * closes the socket: no request is sent, so the server's certificate is not checked here (the real
 * client checks it). Loopback or wherever the user pointed; one attempt, bounded.
 */
final class TlsProbe {
  private TlsProbe() {}

  /** Whether {@code endpoint} ({@code host:port} or a URL) answers a TLS handshake in time. */
  static boolean speaksTls(String endpoint, Duration bound) {
    InetSocketAddress address = address(endpoint);
    if (address == null) {
      return false;
    }
    int millis = (int) Math.max(100, Math.min(bound.toMillis(), 2_000));
    try (Socket plain = new Socket()) {
      plain.connect(address, millis);
      plain.setSoTimeout(millis);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new AnyCertificate()}, null);
      try (SSLSocket tls =
          (SSLSocket)
              context
                  .getSocketFactory()
                  .createSocket(plain, address.getHostString(), address.getPort(), false)) {
        tls.startHandshake();
        return true; // a handshake completed: TLS, with or without client certificates
      } catch (SSLException e) {
        // A server that asks for a client certificate rejects us with a TLS alert: TLS still.
        String text = String.valueOf(e.getMessage());
        return text.contains("alert") || text.contains("certificate");
      }
    } catch (IOException | GeneralSecurityException | RuntimeException notTls) {
      return false;
    }
  }

  private static InetSocketAddress address(String endpoint) {
    try {
      URI uri = URI.create(endpoint.contains("://") ? endpoint : "tcp://" + endpoint);
      return uri.getHost() == null || uri.getPort() < 0
          ? null
          : new InetSocketAddress(uri.getHost(), uri.getPort());
    } catch (IllegalArgumentException bad) {
      return null;
    }
  }

  /** Accepts any server certificate: the probe only asks whether TLS is spoken at all. */
  private static final class AnyCertificate implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
