package dev.registryetcd.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgsTest {
  private static final Map<String, String> ENV =
      Map.of("ETCD_ENDPOINTS", "10.0.0.1:2379,10.0.0.2:2379");

  @Test
  void endpointsComeFromTheFirstArgumentFirst() {
    assertThat(Args.endpoints(new String[] {" 127.0.0.1:2379 , http://127.0.0.1:22379"}, ENV::get))
        .containsExactly("127.0.0.1:2379", "http://127.0.0.1:22379");
  }

  @Test
  void endpointsComeFromEtcdEndpointsWithoutAnArgument() {
    assertThat(Args.endpoints(new String[0], ENV::get))
        .containsExactly("10.0.0.1:2379", "10.0.0.2:2379");
  }

  @Test
  void endpointsDefaultToTheGoExamplesOne() {
    assertThat(Args.endpoints(new String[0], name -> null)).containsExactly("127.0.0.1:2379");
  }

  @Test
  void argumentWithoutAnEndpointIsRefused() {
    assertThatThrownBy(() -> Args.endpoints(new String[] {" , "}, ENV::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no etcd endpoint in ' , '");
  }

  @Test
  void listenAddressIsAPortOnLoopbackOrAHostAndPort() {
    assertThat(Args.listenAddress(new String[] {"e"}, 8888))
        .isEqualTo(new InetSocketAddress("127.0.0.1", 8888));
    assertThat(Args.listenAddress(new String[] {"e", "9999"}, 8888))
        .isEqualTo(new InetSocketAddress("127.0.0.1", 9999));
    assertThat(Args.listenAddress(new String[] {"e", "0.0.0.0:8889"}, 8888))
        .isEqualTo(new InetSocketAddress("0.0.0.0", 8889));
    assertThat(Args.listenAddress(new String[] {"e", ":8889"}, 8888))
        .isEqualTo(new InetSocketAddress("0.0.0.0", 8889));
    assertThat(Args.listenAddress(new String[] {"e", "[::1]:8889"}, 8888))
        .isEqualTo(new InetSocketAddress("::1", 8889));
  }

  @Test
  void badListenAddressIsRefusedWithAnExample() {
    assertThatThrownBy(() -> Args.listenAddress(new String[] {"e", "eighty"}, 8888))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("e.g. 8888 or 0.0.0.0:8888, not 'eighty'");
    assertThatThrownBy(() -> Args.listenAddress(new String[] {"e", "70000"}, 8888))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
