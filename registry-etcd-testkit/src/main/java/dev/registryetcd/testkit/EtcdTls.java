package dev.registryetcd.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * TLS on the client URLs of an {@link EtcdCluster}: etcd's {@code --cert-file}, {@code --key-file},
 * {@code --trusted-ca-file} and {@code --client-cert-auth}. The PEM files are made by the caller;
 * the server certificate must name {@code IP:127.0.0.1} in its subject alternative names, since
 * clients dial that address.
 *
 * <pre>{@code
 * EtcdCluster.builder().tls(EtcdTls.serverOnly(serverCert, serverKey))            // https, any client
 * EtcdCluster.builder().tls(EtcdTls.mutual(serverCert, serverKey, clientCa))      // https + client certificates
 * }</pre>
 *
 * <p>etcd 3.4 asks every client for a certificate signed by {@code trustedCaFile} as soon as that
 * file is given, with or without {@code --client-cert-auth}; so this record requires the two to go
 * together, and says what etcd will do. Peer traffic stays plain HTTP on 127.0.0.1. Paths are made
 * absolute (etcd runs in the data root).
 *
 * @param certFile the server certificate (PEM)
 * @param keyFile its private key (PEM)
 * @param trustedCaFile CA certificates (PEM) that client certificates must chain to, or {@code
 *     null}
 * @param clientCertAuth whether etcd requires client certificates; true exactly when {@code
 *     trustedCaFile} is given
 */
public record EtcdTls(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth) {

  public EtcdTls {
    certFile = Objects.requireNonNull(certFile, "certFile").toAbsolutePath();
    keyFile = Objects.requireNonNull(keyFile, "keyFile").toAbsolutePath();
    trustedCaFile = trustedCaFile == null ? null : trustedCaFile.toAbsolutePath();
    if (clientCertAuth && trustedCaFile == null) {
      throw new IllegalArgumentException(
          "clientCertAuth needs trustedCaFile: etcd checks client certificates " + "against it");
    }
    if (!clientCertAuth && trustedCaFile != null) {
      throw new IllegalArgumentException(
          "trustedCaFile "
              + trustedCaFile
              + " without clientCertAuth: etcd 3.4 "
              + "then still requires client certificates; use EtcdTls.mutual(...) to say so, or "
              + "EtcdTls.serverOnly(...) for TLS without client certificates");
    }
  }

  /** TLS with a server certificate only: any client that trusts it may connect. */
  public static EtcdTls serverOnly(Path certFile, Path keyFile) {
    return new EtcdTls(certFile, keyFile, null, false);
  }

  /**
   * Mutual TLS: etcd accepts only clients presenting a certificate signed by a CA in {@code
   * trustedCaFile}.
   */
  public static EtcdTls mutual(Path certFile, Path keyFile, Path trustedCaFile) {
    return new EtcdTls(
        certFile, keyFile, Objects.requireNonNull(trustedCaFile, "trustedCaFile"), true);
  }

  /**
   * Throws {@link IllegalStateException} naming the first file that is not a readable regular file.
   */
  void requireFiles() {
    requireFile(certFile, "certFile");
    requireFile(keyFile, "keyFile");
    if (trustedCaFile != null) {
      requireFile(trustedCaFile, "trustedCaFile");
    }
  }

  private static void requireFile(Path file, String what) {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalStateException(
          "EtcdTls "
              + what
              + " "
              + file
              + " is not a readable file; write the PEM "
              + "files before starting the cluster");
    }
  }

  /** The etcd flags for the client listener. */
  List<String> flags() {
    List<String> flags =
        new ArrayList<>(List.of("--cert-file=" + certFile, "--key-file=" + keyFile));
    if (trustedCaFile != null) {
      flags.add("--trusted-ca-file=" + trustedCaFile);
    }
    if (clientCertAuth) {
      flags.add("--client-cert-auth");
    }
    return List.copyOf(flags);
  }
}
