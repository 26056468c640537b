package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OptionNamesTest {

  @Test
  void libraryTlsSettingsReadAsTheCommandsOptions() {
    assertThat(
            OptionNames.of(
                "withTLSOpt: keyFile /k.pem is not the private key of certFile /c.pem: give the key"))
        .isEqualTo("--key /k.pem is not the private key of --cert /c.pem: give the key");
    assertThat(OptionNames.of("withTLSOpt: caFile /ca.pem is not a PEM CA certificate"))
        .isEqualTo("--cacert /ca.pem is not a PEM CA certificate");
    assertThat(OptionNames.of("check withTLSOpt's certFile and keyFile"))
        .isEqualTo("check --cert and --key");
  }

  @Test
  void aMessageWithoutLibraryNamesIsLeftAlone() {
    assertThat(OptionNames.of("etcd did not answer within 5s"))
        .isEqualTo("etcd did not answer within 5s");
  }
}
