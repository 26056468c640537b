package dev.registryetcd.etcd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceKeysTest {
  private static final String PREFIX = "kitex/registry-etcd";

  @Test
  void serviceOfAnInstanceKeyIsTheSegmentAfterThePrefix() {
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd/echo/127.0.0.1:8888"))
        .isEqualTo("echo");
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd/echo/[::1]:8888"))
        .isEqualTo("echo");
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd/echo//tmp/echo.sock"))
        .isEqualTo("echo");
  }

  @Test
  void aKeyWithNothingAfterTheServiceIsAnInstanceKeyAsGosRangeReadMakesIt() {
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd/echo/")).isEqualTo("echo");
  }

  @Test
  void keysOutsideTheLayoutHaveNoService() {
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd/echo")).isNull();
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd//127.0.0.1:1")).isNull();
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd-b/echo/127.0.0.1:1")).isNull();
    assertThat(ServiceKeys.serviceOf(PREFIX, "hertz/registry-etcd/echo/127.0.0.1:1")).isNull();
    assertThat(ServiceKeys.serviceOf(PREFIX, "kitex/registry-etcd")).isNull();
  }

  @Test
  void serviceOfInvertsInstanceKey() {
    String key = ServiceKeys.instanceKey(PREFIX, "payments", "10.0.0.1:80");
    assertThat(ServiceKeys.serviceOf(PREFIX, key)).isEqualTo("payments");
  }
}
