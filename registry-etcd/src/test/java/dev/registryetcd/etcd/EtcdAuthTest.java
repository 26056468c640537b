package dev.registryetcd.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.registryetcd.discovery.Instance;
import dev.registryetcd.registry.Info;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.SimpleFormatter;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd with auth on: a user allowed only the registry prefix registers and resolves; outside the
 * prefix and with a wrong password it is refused, and the password shows nowhere.
 */
class EtcdAuthTest {
  private static final String USER = "svc";
  private static final String PASSWORD = "svc-Pa55word";

  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  private static final EtcdFixture fixture = new EtcdFixture(etcd);

  @BeforeAll
  static void enableAuthWithARegistryOnlyUser() {
    etcd.cluster().enableAuth(USER, PASSWORD, "kitex/registry-etcd/");
  }

  @Test
  void aUserAllowedTheRegistryPrefixRegistersAndResolves() {
    try (EtcdRegistry registry =
            EtcdRegistry.newEtcdRegistryWithAuth(etcd.clientEndpointsAsHostPort(), USER, PASSWORD);
        EtcdResolver resolver =
            EtcdResolver.newEtcdResolverWithAuth(
                etcd.clientEndpointsAsHostPort(), USER, PASSWORD)) {
      registry.register(EtcdFixture.echoAt(8888));

      assertThat(resolver.resolve("echo").instances())
          .extracting(Instance::address)
          .containsExactly("127.0.0.1:8888");
    }
  }

  @Test
  void aWrongPasswordFailsWithAnAuthenticationErrorThatDoesNotShowThePassword() {
    String wrong = "not-the-Pa55word";
    try (EtcdRegistry registry = fixture.registry(Option.withAuthOpt(USER, wrong))) {
      assertThatThrownBy(() -> registry.register(EtcdFixture.echoAt(1)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("credentials")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong))
          .satisfies(e -> assertThat(registry.toString()).doesNotContain(wrong));
    }
  }

  @Test
  void registeringOutsideTheGrantedPrefixIsDeniedWithAMessageNamingTheFix() {
    try (EtcdRegistry registry =
        fixture.registry(
            Option.withAuthOpt(USER, PASSWORD), Option.withEtcdServicePrefix("other/prefix"))) {
      assertThatThrownBy(() -> registry.register(EtcdFixture.echoAt(8888)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("other/prefix/echo/127.0.0.1:8888")
          .hasMessageContaining("permission denied")
          .hasMessageContaining("grant the user's role read and write on the registry prefix");
    }
  }

  @Test
  void readingOutsideTheGrantedPrefixIsDeniedWithAMessageNamingTheFix() {
    try (EtcdResolver resolver =
        fixture.resolver(
            Option.withAuthOpt(USER, PASSWORD), Option.withEtcdServicePrefix("other/prefix"))) {
      assertThatThrownBy(() -> resolver.resolve("echo"))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("other/prefix/echo/")
          .hasMessageContaining("permission denied")
          .hasMessageContaining("grant the user's role read and write on the registry prefix");
    }
  }

  /**
   * slf4j-simple writes to System.err, gRPC logs through java.util.logging: both are captured here.
   */
  @Test
  void thePasswordShowsInNoLogLineExceptionOrToString() {
    String wrong = "wr0ng-Pa55word";
    List<String> texts = new ArrayList<>();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
    java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    StreamHandler julCapture = new StreamHandler(capture, new SimpleFormatter());
    julCapture.setLevel(Level.ALL);
    System.setErr(capture);
    julRoot.addHandler(julCapture);
    try {
      Option auth = Option.withAuthOpt(USER, PASSWORD);
      try (EtcdRegistry registry = fixture.registry(auth);
          EtcdResolver resolver = fixture.resolver(auth)) {
        registry.register(
            Info.builder()
                .serviceName("audited")
                .address(new InetSocketAddress("127.0.0.1", 7))
                .build());
        assertThat(resolver.resolve("audited").instances()).hasSize(1);
        texts.addAll(List.of(auth.toString(), registry.toString(), resolver.toString()));
      }
      Option wrongAuth = Option.withAuthOpt(USER, wrong);
      try (EtcdRegistry registry = fixture.registry(wrongAuth);
          EtcdResolver resolver = fixture.resolver(wrongAuth)) {
        texts.add(
            stackTrace(
                catchThrowable(
                    () ->
                        registry.register(
                            Info.builder()
                                .serviceName("audited")
                                .address(new InetSocketAddress("127.0.0.1", 8))
                                .build()))));
        texts.add(stackTrace(catchThrowable(() -> resolver.resolve("audited"))));
        texts.addAll(List.of(wrongAuth.toString(), registry.toString(), resolver.toString()));
      }
    } finally {
      julRoot.removeHandler(julCapture);
      julCapture.close();
      System.setErr(originalErr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);

    assertThat(log)
        .contains("Registered kitex/registry-etcd/audited/127.0.0.1:7"); // the capture works
    assertThat(texts.get(3)).contains("RegistryException").contains("credentials");
    assertThat(texts.get(4)).contains("RegistryException").contains("credentials");
    assertThat(log).doesNotContain(PASSWORD).doesNotContain(wrong);
    assertThat(String.join("\n", texts)).doesNotContain(PASSWORD).doesNotContain(wrong);
  }

  private static String stackTrace(Throwable error) {
    StringWriter text = new StringWriter();
    error.printStackTrace(new PrintWriter(text));
    return text.toString();
  }
}
