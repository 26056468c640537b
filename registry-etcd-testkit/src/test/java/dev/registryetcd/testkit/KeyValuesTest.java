package dev.registryetcd.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KeyValuesTest {

  @Test
  void readsTheValueAsEtcdHoldsItOrNullWhenTheKeyIsAbsent() throws Exception {
    try (EtcdCluster etcd = EtcdCluster.single().start()) {
      String endpoint = etcd.member(0).clientEndpoint();
      Gateway.put(endpoint, "svc/a", "{\"weight\":1099511627776,\"名前\":\"値\"}");
      Gateway.put(endpoint, "svc/empty", "");
      KeyValues keys = KeyValues.of(etcd);

      assertThat(keys.value("svc/a")).isEqualTo("{\"weight\":1099511627776,\"名前\":\"値\"}");
      assertThat(keys.value("svc/empty")).isEmpty();
      assertThat(keys.value("svc/none")).isNull();
    }
  }

  @Test
  void refusesATlsCluster() {
    EtcdCluster tls =
        EtcdCluster.builder().tls(EtcdTls.serverOnly(Path.of("c"), Path.of("k"))).build();

    assertThatThrownBy(() -> KeyValues.of(tls))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("TLS");
  }
}
