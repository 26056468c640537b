package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * PEM files for TLS tests, made at test time with BouncyCastle in a fresh temporary directory (EC
 * P-256, valid from an hour ago for a day): a CA, a server certificate it signed for {@code
 * IP:127.0.0.1} and {@code DNS:localhost}, a client certificate it signed, a foreign CA with a
 * client certificate of its own, and an RSA client certificate whose key is PKCS#1. The other
 * private keys are PKCS#8 ({@code BEGIN PRIVATE KEY}), as Netty needs. {@link #close()} deletes the
 * directory.
 *
 * <p>BouncyCastle ({@code org.bouncycastle:bcpkix-jdk18on}) is an optional dependency of the test
 * kit: the CLI ships the test kit in its jar for {@code demo}, which needs no certificates, and
 * must not ship a crypto library with it. A test that uses this class declares {@code
 * bcpkix-jdk18on} itself (test scope).
 */
public final class TestCertificates implements AutoCloseable {
  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** Makes every file in a new temporary directory. */
  public static TestCertificates create() {
    try {
      Path dir = Files.createTempDirectory("registry-etcd-certs-");
      Instant now = Instant.now();
      KeyPair caKeys = newKeyPair();
      X509Certificate ca = caCertificate("CN=registry-etcd test CA", caKeys, now);
      write(dir.resolve("ca.pem"), ca);

      KeyPair serverKeys = newKeyPair();
      write(
          dir.resolve("server.pem"),
          leafCertificate("CN=etcd", serverKeys, ca, caKeys.getPrivate(), now, true));
      write(dir.resolve("server-key.pem"), new JcaPKCS8Generator(serverKeys.getPrivate(), null));

      KeyPair clientKeys = newKeyPair();
      write(
          dir.resolve("client.pem"),
          leafCertificate("CN=registry", clientKeys, ca, caKeys.getPrivate(), now, false));
      write(dir.resolve("client-key.pem"), new JcaPKCS8Generator(clientKeys.getPrivate(), null));

      KeyPair foreignCaKeys = newKeyPair();
      X509Certificate foreignCa = caCertificate("CN=foreign test CA", foreignCaKeys, now);
      write(dir.resolve("foreign-ca.pem"), foreignCa);
      KeyPair foreignClientKeys = newKeyPair();
      write(
          dir.resolve("foreign-client.pem"),
          leafCertificate(
              "CN=registry", foreignClientKeys, foreignCa, foreignCaKeys.getPrivate(), now, false));
      write(
          dir.resolve("foreign-client-key.pem"),
          new JcaPKCS8Generator(foreignClientKeys.getPrivate(), null));
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      KeyPair rsaClientKeys = rsa.generateKeyPair();
      write(
          dir.resolve("rsa-client.pem"),
          leafCertificate("CN=registry", rsaClientKeys, ca, caKeys.getPrivate(), now, false));
      write(dir.resolve("rsa-client-key-pkcs1.pem"), rsaClientKeys.getPrivate());
      return new TestCertificates(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("could not make test certificates: " + e, e);
    }
  }

  /** The directory holding the files. */
  public Path dir() {
    return dir;
  }

  /** The CA that signed the server and client certificates. */
  public Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** The server certificate, for {@code IP:127.0.0.1} and {@code DNS:localhost}. */
  public Path serverCertFile() {
    return dir.resolve("server.pem");
  }

  /** The server certificate's key. */
  public Path serverKeyFile() {
    return dir.resolve("server-key.pem");
  }

  /** A client certificate signed by the CA. */
  public Path clientCertFile() {
    return dir.resolve("client.pem");
  }

  /** The client certificate's key. */
  public Path clientKeyFile() {
    return dir.resolve("client-key.pem");
  }

  /** A CA that signed neither the server's nor the client's certificate. */
  public Path foreignCaFile() {
    return dir.resolve("foreign-ca.pem");
  }

  /** A client certificate signed by the foreign CA. */
  public Path foreignClientCertFile() {
    return dir.resolve("foreign-client.pem");
  }

  /** The foreign client certificate's key. */
  public Path foreignClientKeyFile() {
    return dir.resolve("foreign-client-key.pem");
  }

  /** A client certificate with an RSA key, signed by the CA. */
  public Path rsaClientCertFile() {
    return dir.resolve("rsa-client.pem");
  }

  /** Its key in PKCS#1 form ({@code BEGIN RSA PRIVATE KEY}), as etcdctl accepts it. */
  public Path rsaClientKeyPkcs1File() {
    return dir.resolve("rsa-client-key-pkcs1.pem");
  }

  /** etcd serving TLS with the server certificate, any client. */
  public EtcdTls serverOnly() {
    return EtcdTls.serverOnly(serverCertFile(), serverKeyFile());
  }

  /** etcd serving TLS and requiring client certificates signed by the CA. */
  public EtcdTls mutual() {
    return EtcdTls.mutual(serverCertFile(), serverKeyFile(), caFile());
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate caCertificate(String subject, KeyPair keys, Instant now)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    X500Name name = new X500Name(subject);
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                name, serial(), notBefore(now), notAfter(now), name, keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
            .addExtension(
                Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
    return sign(builder, keys.getPrivate());
  }

  /**
   * A certificate for 127.0.0.1/localhost; a server certificate may also serve as a client one
   * (etcd's gateway).
   */
  private static X509Certificate leafCertificate(
      String subject,
      KeyPair keys,
      X509Certificate issuer,
      PrivateKey issuerKey,
      Instant now,
      boolean server)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
                issuer,
                serial(),
                notBefore(now),
                notAfter(now),
                new X500Name(subject),
                keys.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                server
                    ? new ExtendedKeyUsage(
                        new KeyPurposeId[] {
                          KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                        })
                    : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                utils.createSubjectKeyIdentifier(keys.getPublic()))
            .addExtension(
                Extension.authorityKeyIdentifier,
                false,
                utils.createAuthorityKeyIdentifier(issuer));
    if (server) {
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")
              }));
    }
    return sign(builder, issuerKey);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom()).add(BigInteger.ONE);
  }

  private static Date notBefore(Instant now) {
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static Date notAfter(Instant now) {
    return Date.from(now.plus(Duration.ofDays(1)));
  }

  private static void write(Path file, Object pemObject) throws IOException {
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
        JcaPEMWriter pem = new JcaPEMWriter(out)) {
      pem.writeObject(pemObject);
    }
  }
}
