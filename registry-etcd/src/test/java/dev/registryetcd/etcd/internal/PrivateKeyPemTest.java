package dev.registryetcd.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;

class PrivateKeyPemTest {

  @Test
  void aPkcs1RsaKeyBecomesThePkcs8KeyOfTheSameRsaKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair keys = generator.generateKeyPair();
    byte[] pkcs1 =
        PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded())
            .parsePrivateKey()
            .toASN1Primitive()
            .getEncoded();
    String pem =
        "-----BEGIN RSA PRIVATE KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs1)
            + "\n-----END RSA PRIVATE KEY-----\n";

    String pkcs8;
    try (InputStream in = PrivateKeyPem.asPkcs8(pem.getBytes(StandardCharsets.US_ASCII))) {
      pkcs8 = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }

    assertThat(pkcs8).startsWith("-----BEGIN PRIVATE KEY-----\n");
    String body =
        pkcs8.replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "");
    PrivateKey read =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(body)));
    assertThat(read.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
  }

  @Test
  void aPkcs8KeyPassesUnchanged() throws Exception {
    byte[] pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".getBytes();

    try (InputStream in = PrivateKeyPem.asPkcs8(pem)) {
      assertThat(in.readAllBytes()).isEqualTo(pem);
    }
  }

  @Test
  void anEncryptedPkcs1KeyIsRefusedSayingHowToConvertIt() {
    byte[] pem =
        ("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n"
                + "AAAA\n-----END RSA PRIVATE KEY-----\n")
            .getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> PrivateKeyPem.asPkcs8(pem))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
  }
}
