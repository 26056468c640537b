package dev.registryetcd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.registry.RegistryException.Reason;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link Failures} words etcd failures: by the library's reason first, by jetcd's text only for
 * raw errors.
 */
class FailuresTest {
  private static final EtcdTarget BOB = target("bob");
  private static final EtcdTarget NOBODY = target(null);

  @Test
  void aPermissionFailureIsWordedByItsReasonWhateverItsText() {
    String text =
        Failures.describe(
            new RegistryException(Reason.PERMISSION, "put k: nothing to match", null), BOB);

    assertThat(text)
        .isEqualTo(
            "etcd at 127.0.0.1:2379 denied user bob access: grant its role read (and, to "
                + "register, write) on the keys under kitex/registry-etcd/");
  }

  @Test
  void anUnreachableFailureIsWordedByItsReasonWhateverItsText() {
    String text =
        Failures.describe(
            new RegistryException(Reason.UNREACHABLE, "resolve echo: gone", null), BOB);

    assertThat(text).isEqualTo("cannot reach etcd at 127.0.0.1:2379 within 5s: is it running?");
  }

  @Test
  void anAuthenticationFailureWithoutUserAsksForOne() {
    assertThat(
            Failures.describe(
                new RegistryException(Reason.AUTHENTICATION, "read: refused", null), NOBODY))
        .isEqualTo(
            "etcd at 127.0.0.1:2379 requires a user: give --user and --password (or ETCD_PASSWORD)");
    assertThat(
            Failures.describe(
                new RegistryException(Reason.AUTHENTICATION, "read: refused", null), BOB))
        .isEqualTo(
            "etcd at 127.0.0.1:2379 refused the credentials of user bob: check --user and --password "
                + "(or ETCD_PASSWORD)");
  }

  @Test
  void aTlsFailureKeepsTheLibrarysDiagnosisInThisToolsOptionNames() {
    String text =
        Failures.describe(
            new RegistryException(
                Reason.TLS,
                "read kitex/registry-etcd/: TLS handshake "
                    + "with etcd failed: the server's certificate is not trusted by caFile (PKIX): check that withTLSOpt's "
                    + "caFile holds the CA",
                null),
            BOB);

    assertThat(text)
        .isEqualTo(
            "etcd at 127.0.0.1:2379: TLS handshake with etcd failed: the server's certificate is "
                + "not trusted by the JDK's default CAs (PKIX): check that --cacert holds the CA; "
                + "give --cacert with the CA that signed etcd's certificate");
  }

  @Test
  void theReasonOfAWrappedRegistryExceptionCounts() {
    RuntimeException wrapped =
        new RuntimeException("outer", new RegistryException(Reason.PERMISSION, "inner", null));

    assertThat(Failures.describe(wrapped, BOB)).contains("denied user bob access");
  }

  @Test
  void aRawJetcdErrorIsStillRecognisedByItsText() {
    RegistryException other =
        new RegistryException(
            "read k: etcdserver: permission denied",
            new RuntimeException(
                "io.grpc.StatusRuntimeException: PERMISSION_DENIED: etcdserver: permission denied"));

    assertThat(Failures.describe(other, BOB)).contains("denied user bob access");
    assertThat(Failures.describe(new RuntimeException("etcdserver: user name is empty"), NOBODY))
        .contains("requires a user");
  }

  private static EtcdTarget target(String user) {
    return new EtcdTarget(
        List.of("127.0.0.1:2379"),
        true,
        "kitex/registry-etcd",
        false,
        Duration.ofSeconds(5),
        user,
        List.of());
  }
}
