package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.testkit.EtcdExtension;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** etcd with auth on: a user allowed only the registry prefix registers and resolves; a wrong password is refused. */
class EtcdAuthTest {
  private static final String USER = "svc";
  private static final String PASSWORD = "svc-Pa55word";

  @RegisterExtension
  static final EtcdExtension etcd = EtcdExtension.single();

  @BeforeAll
  static void enableAuthWithARegistryOnlyUser() throws Exception {
    try (Client admin = Client.builder().endpoints(etcd.clientEndpoints().toArray(String[]::new)).build()) {
      Auth auth = admin.getAuthClient();
      auth.userAdd(bytes("root"), bytes("root-pw")).get(10, TimeUnit.SECONDS);
      try {
        auth.roleAdd(bytes("root")).get(10, TimeUnit.SECONDS);
      } catch (Exception alreadyThere) {
        // some etcd versions create it with the root user
      }
      auth.userGrantRole(bytes("root"), bytes("root")).get(10, TimeUnit.SECONDS);
      auth.roleAdd(bytes("registry")).get(10, TimeUnit.SECONDS);
      auth.roleGrantPermission(bytes("registry"), bytes("kitex/registry-etcd/"), bytes("kitex/registry-etcd0"),
          Permission.Type.READWRITE).get(10, TimeUnit.SECONDS);
      auth.userAdd(bytes(USER), bytes(PASSWORD)).get(10, TimeUnit.SECONDS);
      auth.userGrantRole(bytes(USER), bytes("registry")).get(10, TimeUnit.SECONDS);
      auth.authEnable().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aUserAllowedTheRegistryPrefixRegistersAndResolves() {
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistryWithAuth(etcd.clientEndpointsAsHostPort(), USER, PASSWORD);
        EtcdResolver resolver = EtcdResolver.newEtcdResolverWithAuth(etcd.clientEndpointsAsHostPort(), USER, PASSWORD)) {
      registry.register(Info.builder().serviceName("echo").address(new InetSocketAddress("127.0.0.1", 8888)).build());

      assertThat(resolver.resolve("echo").instances()).extracting(Instance::address).containsExactly("127.0.0.1:8888");
    }
  }

  @Test
  void aWrongPasswordFailsWithAnAuthenticationErrorThatDoesNotShowThePassword() {
    String wrong = "not-the-Pa55word";
    try (EtcdRegistry registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort(),
        Option.withAuthOpt(USER, wrong))) {
      assertThatThrownBy(() -> registry.register(
          Info.builder().serviceName("echo").address(new InetSocketAddress("127.0.0.1", 1)).build()))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("credentials")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong))
          .satisfies(e -> assertThat(registry.toString()).doesNotContain(wrong));
    }
  }

  private static ByteSequence bytes(String text) {
    return ByteSequence.from(text, StandardCharsets.UTF_8);
  }
}
