package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed EC P-256 certificate for {@code IP:127.0.0.1} made with the JDK's {@code keytool},
 * written as PEM ({@code cert.pem}, PKCS#8 {@code key.pem}) for etcd. The test kit has no crypto
 * library; the PEM files are only base64 of the DER the JDK gives.
 */
final class SelfSignedCertificate {

  private static final char[] PASSWORD = "changeit".toCharArray();

  private final Path certFile;
  private final Path keyFile;
  private final KeyStore keyStore;

  private SelfSignedCertificate(Path certFile, Path keyFile, KeyStore keyStore) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.keyStore = keyStore;
  }

  static SelfSignedCertificate create(Path dir)
      throws IOException, GeneralSecurityException, InterruptedException {
    Path store = dir.resolve("etcd.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p =
        new ProcessBuilder(
                keytool.toString(),
                "-genkeypair",
                "-alias",
                "etcd",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=etcd-testkit",
                "-ext",
                "san=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(PASSWORD),
                "-keypass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore keyStore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, PASSWORD);
    }
    Path cert =
        Files.writeString(
            dir.resolve("cert.pem"),
            pem("CERTIFICATE", keyStore.getCertificate("etcd").getEncoded()));
    Path key =
        Files.writeString(
            dir.resolve("key.pem"),
            pem("PRIVATE KEY", keyStore.getKey("etcd", PASSWORD).getEncoded()));
    return new SelfSignedCertificate(cert, key, keyStore);
  }

  Path certFile() {
    return certFile;
  }

  Path keyFile() {
    return keyFile;
  }

  /** An SSL context that trusts this certificate and presents none. */
  SSLContext trustingContext() throws GeneralSecurityException {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(keyStore);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
