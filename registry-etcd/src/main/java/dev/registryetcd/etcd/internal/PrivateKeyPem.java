package dev.registryetcd.etcd.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A PEM private key as Netty's parser reads it (PKCS#8, {@code BEGIN PRIVATE KEY}): a PKCS#1 RSA
 * key ({@code BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa} and older tools write, and what
 * etcdctl accepts) is rewrapped as PKCS#8 in memory, with no dependency beyond the JDK. Other files
 * pass through unchanged. Stateless.
 */
final class PrivateKeyPem {
  private static final String PKCS1_BEGIN = "-----BEGIN RSA PRIVATE KEY-----";
  private static final String PKCS1_END = "-----END RSA PRIVATE KEY-----";

  /** DER of AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
  private static final byte[] RSA_ALGORITHM = {
    0x30,
    0x0d,
    0x06,
    0x09,
    0x2a,
    (byte) 0x86,
    0x48,
    (byte) 0x86,
    (byte) 0xf7,
    0x0d,
    0x01,
    0x01,
    0x01,
    0x05,
    0x00
  };

  /** How to turn any other key into the PKCS#8 form Netty reads, for messages. */
  static final String CONVERT = "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8.pem";

  private PrivateKeyPem() {}

  /**
   * {@code pem} as PKCS#8 PEM when it is an unencrypted PKCS#1 RSA key, else as it is.
   *
   * @throws IllegalArgumentException for an encrypted PKCS#1 key or broken base64
   */
  static InputStream asPkcs8(byte[] pem) throws IOException {
    String text = new String(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf(PKCS1_BEGIN);
    int end = text.indexOf(PKCS1_END);
    if (begin < 0 || end < begin) {
      return new ByteArrayInputStream(pem);
    }
    String body = text.substring(begin + PKCS1_BEGIN.length(), end);
    if (body.contains("ENCRYPTED")) {
      throw new IllegalArgumentException(
          "it is an encrypted PKCS#1 key; decrypt it into PKCS#8 with: " + CONVERT);
    }
    byte[] pkcs1 = Base64.getMimeDecoder().decode(body.replaceAll("[^A-Za-z0-9+/=]", ""));
    ByteArrayOutputStream info = new ByteArrayOutputStream(pkcs1.length + 32);
    info.write(new byte[] {0x02, 0x01, 0x00}); // version 0
    info.write(RSA_ALGORITHM);
    info.write(0x04); // OCTET STRING holding the PKCS#1 key
    info.write(derLength(pkcs1.length));
    info.write(pkcs1);
    ByteArrayOutputStream der = new ByteArrayOutputStream(info.size() + 8);
    der.write(0x30); // SEQUENCE PrivateKeyInfo
    der.write(derLength(info.size()));
    info.writeTo(der);
    String pkcs8 =
        "-----BEGIN PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der.toByteArray())
            + "\n-----END PRIVATE KEY-----\n";
    return new ByteArrayInputStream(pkcs8.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] derLength(int length) {
    if (length < 0x80) {
      return new byte[] {(byte) length};
    }
    if (length < 0x100) {
      return new byte[] {(byte) 0x81, (byte) length};
    }
    if (length < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {(byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
  }
}
