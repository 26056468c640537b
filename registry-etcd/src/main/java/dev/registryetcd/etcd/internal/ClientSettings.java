package dev.registryetcd.etcd.internal;

import dev.registryetcd.etcd.InvalidSettingException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How to reach etcd: endpoints, dial timeout, TLS files and credentials. Builds the jetcd {@link
 * Client}; {@link #toString()} never shows the password.
 *
 * @param endpoints {@code host:port} as Go users write them, or {@code http(s)://host:port}
 * @param dialTimeout bound on connecting and on each request made on a caller's behalf
 * @param certFile client certificate (PEM) or {@code null}
 * @param keyFile client key (PEM, PKCS#8) or {@code null}
 * @param caFile CA certificates (PEM) or {@code null} for plaintext
 * @param user etcd user or {@code null}
 * @param password etcd password or {@code null}
 */
public record ClientSettings(
    List<String> endpoints,
    Duration dialTimeout,
    Path certFile,
    Path keyFile,
    Path caFile,
    String user,
    String password) {

  public ClientSettings {
    endpoints = List.copyOf(endpoints);
  }

  /** Whether the connection is TLS: a CA file was given or an endpoint says {@code https://}. */
  public boolean tls() {
    return caFile != null
        || endpoints.stream().anyMatch(e -> e.toLowerCase(Locale.ROOT).startsWith("https://"));
  }

  /** The endpoints as the URIs jetcd takes, checked. */
  public List<URI> endpointUris() {
    if (endpoints.isEmpty()) {
      throw new InvalidSettingException(
          "endpoints", "endpoints must name at least one etcd server, e.g. 127.0.0.1:2379");
    }
    boolean tls = tls();
    List<URI> uris = new ArrayList<>();
    for (int i = 0; i < endpoints.size(); i++) {
      String endpoint = endpoints.get(i);
      if (endpoint == null || endpoint.isBlank()) {
        throw new InvalidSettingException(
            "endpoints", "endpoints[" + i + "] is empty: give host:port, e.g. 127.0.0.1:2379");
      }
      String lower = endpoint.toLowerCase(Locale.ROOT);
      if (lower.startsWith("http://") && caFile != null) {
        // jetcd picks TLS for every endpoint from the client's settings, not from the scheme.
        throw badEndpoint(
            i,
            endpoint,
            "says http:// but withTLSOpt asks for TLS: write https:// or host:port",
            null);
      }
      if (lower.startsWith("http://") && tls) {
        throw new InvalidSettingException(
            "endpoints",
            "endpoints mix http:// and https:// ("
                + endpoints
                + "): one client talks either TLS or plaintext to all of them");
      }
      URI uri;
      try {
        uri =
            URI.create(
                lower.contains("://") ? endpoint : (tls ? "https://" : "http://") + endpoint);
      } catch (IllegalArgumentException e) {
        throw badEndpoint(i, endpoint, "is not host:port or an http(s):// URL", e);
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw badEndpoint(
            i, endpoint, "has scheme " + scheme + ": use host:port, http:// or https://", null);
      }
      if (uri.getHost() == null || uri.getPort() < 1) {
        throw badEndpoint(i, endpoint, "needs a host and a port, e.g. 127.0.0.1:2379", null);
      }
      uris.add(uri);
    }
    return uris;
  }

  /** The error for {@code endpoints[index]}: names it, then says {@code problem} and the fix. */
  private static InvalidSettingException badEndpoint(
      int index, String endpoint, String problem, Throwable cause) {
    return new InvalidSettingException(
        "endpoints", "endpoints[" + index + "] " + endpoint + " " + problem, cause);
  }

  /**
   * The endpoints for messages, as {@code "etcd at 10.0.0.1:2379, 10.0.0.2:2379"}: host and port
   * only, so that nothing else written into an endpoint (a user name) reaches a log.
   */
  public String describe() {
    List<String> hostPorts = new ArrayList<>();
    for (URI uri : endpointUris()) {
      hostPorts.add(uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort());
    }
    return "etcd at " + String.join(", ", hostPorts);
  }

  /**
   * Builds a jetcd client. Fails here, naming the file, when a TLS file does not load: never a
   * plaintext fallback.
   */
  public Client newClient() {
    ClientBuilder builder =
        Client.builder()
            .endpoints(endpointUris())
            .connectTimeout(dialTimeout)
            // As Go's client: a service with many large values must not fail to read (gRPC's
            // default cap is 4 MiB).
            .maxInboundMessageSize(Integer.MAX_VALUE);
    if (user != null) {
      builder
          .user(ByteSequence.from(user, StandardCharsets.UTF_8))
          .password(ByteSequence.from(password, StandardCharsets.UTF_8));
    }
    if (tls()) {
      builder
          .sslContext(sslContext())
          // A TLS handshake that fails (untrusted certificate, rejected client certificate,
          // plaintext etcd) does
          // not heal by waiting: fail calls with its cause, which EtcdCalls.describe names, instead
          // of holding them
          // until the caller's time-out says only that etcd did not answer.
          .waitForReady(false);
    }
    return builder.build();
  }

  private SslContext sslContext() {
    SslContextBuilder ssl = GrpcSslContexts.forClient();
    if (caFile != null) {
      requireReadable(caFile, "caFile");
      try (InputStream ca = Files.newInputStream(caFile)) {
        ssl.trustManager(ca);
      } catch (IOException | IllegalArgumentException e) {
        throw new InvalidSettingException(
            "caFile",
            "withTLSOpt: caFile " + caFile + " is not a PEM CA certificate: " + e.getMessage(),
            e);
      }
    }
    if (certFile != null) {
      requireReadable(certFile, "certFile");
      requireReadable(keyFile, "keyFile");
      X509Certificate[] chain;
      try (InputStream cert = Files.newInputStream(certFile)) {
        chain = NettyPem.certificates(cert);
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new InvalidSettingException(
            "certFile",
            "withTLSOpt: certFile " + certFile + " is not a PEM certificate: " + e.getMessage(),
            e);
      }
      PrivateKey key;
      try (InputStream in = PrivateKeyPem.asPkcs8(Files.readAllBytes(keyFile))) {
        key = NettyPem.privateKey(in);
      } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
        throw new InvalidSettingException(
            "keyFile",
            "withTLSOpt: keyFile "
                + keyFile
                + " is not a PEM private key in PKCS#8 (-----BEGIN PRIVATE KEY-----) or PKCS#1 RSA"
                + " (-----BEGIN RSA PRIVATE KEY-----) form: "
                + e.getMessage()
                + "; convert another key with: "
                + PrivateKeyPem.CONVERT,
            e);
      }
      if (chain.length == 0 || !isKeyOf(key, chain[0].getPublicKey())) {
        // The JDK's TLS does not check this; etcd would only reject the handshake later, without
        // naming a file.
        throw new InvalidSettingException(
            "keyFile",
            "withTLSOpt: keyFile "
                + keyFile
                + " is not the private key of certFile "
                + certFile
                + ": give the key that was made with that certificate");
      }
      ssl.keyManager(key, chain);
    }
    try {
      return ssl.build();
    } catch (IOException | RuntimeException e) {
      throw new InvalidSettingException(
          "caFile",
          "withTLSOpt: cannot set up TLS with caFile "
              + caFile
              + ", certFile "
              + certFile
              + ", keyFile "
              + keyFile
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Whether {@code key} signs what {@code publicKey} verifies; true when the algorithm is one we
   * cannot check.
   */
  private static boolean isKeyOf(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (publicKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "DSA" -> "SHA256withDSA";
          case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
          default -> null;
        };
    if (algorithm == null) {
      return true; // the handshake will tell
    }
    byte[] challenge =
        "registry-etcd: does this key belong to this certificate?".getBytes(StandardCharsets.UTF_8);
    try {
      // As a key of the certificate's algorithm from the JDK's provider (Netty may have parsed it
      // with BouncyCastle).
      PrivateKey jdkKey =
          KeyFactory.getInstance(publicKey.getAlgorithm())
              .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(jdkKey);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (InvalidKeySpecException | InvalidKeyException | SignatureException e) {
      return false; // e.g. an RSA key for an EC certificate
    } catch (NoSuchAlgorithmException e) {
      return true;
    }
  }

  /**
   * Netty's PEM parsers (protected in {@link SslContext}), the ones {@code SslContextBuilder} uses
   * for streams.
   */
  private abstract static class NettyPem extends SslContext {
    static X509Certificate[] certificates(InputStream in) throws CertificateException {
      return toX509Certificates(in);
    }

    static PrivateKey privateKey(InputStream in) throws GeneralSecurityException, IOException {
      return toPrivateKey(in, null);
    }
  }

  private static void requireReadable(Path file, String what) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidSettingException(
          what, "withTLSOpt: " + what + " " + file + " does not exist or is not a file");
    }
    if (!Files.isReadable(file)) {
      throw new InvalidSettingException(
          what, "withTLSOpt: " + what + " " + file + " is not readable by this process");
    }
  }

  @Override
  public String toString() {
    return "ClientSettings{endpoints="
        + endpoints
        + ", dialTimeout="
        + dialTimeout
        + ", tls="
        + tls()
        + ", user="
        + user
        + (password == null ? "" : ", password=***")
        + "}";
  }
}
