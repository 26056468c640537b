package dev.registryetcd.cli;

import dev.registryetcd.discovery.NoInstanceException;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.registry.RegistryException.Reason;
import io.etcd.jetcd.common.exception.EtcdException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine;

/**
 * Turns what went wrong in a command into one line a shell user understands and an exit code:
 * {@link RegistryEtcdCommand#EXIT_ETCD} for etcd failures, {@link
 * RegistryEtcdCommand#EXIT_NOT_FOUND} for a service without instances, {@link
 * RegistryEtcdCommand#EXIT_USAGE} for bad input found late. A stack trace only with {@code
 * --verbose}; the password never, even if some message held it.
 */
final class Failures implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(
      Exception error, CommandLine commandLine, CommandLine.ParseResult parsed) {
    CommandLine top = commandLine;
    while (top.getParent() != null) {
      top = top.getParent();
    }
    RegistryEtcdCommand root = (RegistryEtcdCommand) top.getCommand();
    PrintWriter err = commandLine.getErr();
    int exitCode;
    String message;
    if (error instanceof NoInstanceException none) {
      exitCode = RegistryEtcdCommand.EXIT_NOT_FOUND;
      message = "registry-etcd: " + none.getMessage();
    } else if (error instanceof IllegalArgumentException) {
      exitCode = RegistryEtcdCommand.EXIT_USAGE;
      message =
          "registry-etcd: "
              + OptionNames.of(error.getMessage())
              + "\nTry '"
              + commandLine.getCommandSpec().qualifiedName()
              + " --help' for usage.";
    } else if (isEtcdFailure(error)) {
      exitCode = RegistryEtcdCommand.EXIT_ETCD;
      message = "registry-etcd: " + describe(error, targetOrNull(root));
    } else if (error instanceof IllegalStateException) {
      // e.g. the test kit's "etcd binary not found: set ETCD_BIN ..."
      exitCode = RegistryEtcdCommand.EXIT_ETCD;
      message = "registry-etcd: " + error.getMessage();
    } else {
      exitCode = RegistryEtcdCommand.EXIT_ETCD;
      message =
          "registry-etcd: unexpected failure: "
              + error
              + (root.isVerbose() ? "" : " (run with --verbose for the stack trace)");
    }
    String secret = root.secret();
    err.println(scrub(DurationText.humanize(message), secret));
    if (root.isVerbose()) {
      StringWriter trace = new StringWriter();
      error.printStackTrace(new PrintWriter(trace));
      err.print(scrub(trace.toString(), secret));
    }
    err.flush();
    return exitCode;
  }

  /** Whether {@code error} comes from talking to etcd. */
  static boolean isEtcdFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RegistryException
          || t instanceof EtcdException
          || t instanceof TimeoutException
          || t instanceof ConnectException
          || t.getClass().getName().startsWith("io.grpc.")) {
        return true;
      }
    }
    return false;
  }

  /**
   * One sentence saying what went wrong with etcd and what to do, e.g. {@code cannot reach etcd at
   * 127.0.0.1:2379 within 5s: is it running?}, chosen by the {@link RegistryException#reason()
   * reason} the library gives the failure (a raw jetcd or gRPC error is classified by the library
   * first): never by message text, but for the one case only etcd's words tell apart.
   */
  static String describe(Throwable error, EtcdTarget target) {
    String endpoints = target == null ? "the configured endpoints" : target.endpointsText();
    String user = target == null || target.user() == null ? "(none)" : target.user();
    RegistryException classified = classified(error);
    return switch (classified.reason()) {
      case AUTHENTICATION -> {
        if (target != null && target.user() == null) {
          yield requiresUser(endpoints);
        }
        // A user logging in to an etcd without authentication: the one case of this reason that
        // only etcd's own words tell apart
        yield messages(classified)
                .toLowerCase(Locale.ROOT)
                .contains("authentication is not enabled")
            ? authenticationOff(endpoints)
            : refusedCredentials(endpoints, user);
      }
      case PERMISSION -> deniedAccess(endpoints, user, target);
      case TLS -> "etcd at " + endpoints + ": " + tlsAdvice(classified.getMessage(), target);
      case UNREACHABLE -> unreachable(endpoints, target);
      case INTERRUPTED -> "interrupted while waiting for etcd at " + endpoints;
      case NO_INSTANCE, OTHER -> "etcd at " + endpoints + ": " + firstMessage(error);
    };
  }

  /**
   * The first {@link RegistryException} in {@code error}'s causes whose reason says what happened;
   * else the library's classification of the error itself.
   */
  private static RegistryException classified(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RegistryException registry && registry.reason() != Reason.OTHER) {
        return registry;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    Throwable raw = error;
    while (raw instanceof RegistryException && raw.getCause() != null && raw.getCause() != raw) {
      raw = raw.getCause();
    }
    return EtcdClients.failure("etcd", raw);
  }

  private static String refusedCredentials(String endpoints, String user) {
    return "etcd at "
        + endpoints
        + " refused the credentials of user "
        + user
        + ": check --user and --password (or ETCD_PASSWORD)";
  }

  private static String deniedAccess(String endpoints, String user, EtcdTarget target) {
    return "etcd at "
        + endpoints
        + " denied user "
        + user
        + " access: grant its role read (and, to register, "
        + "write) on the keys under "
        + (target == null ? "the prefix" : target.rootKey());
  }

  private static String requiresUser(String endpoints) {
    return "etcd at "
        + endpoints
        + " requires a user: give --user and --password (or ETCD_PASSWORD)";
  }

  private static String authenticationOff(String endpoints) {
    return "etcd at " + endpoints + " has authentication turned off: drop --user and --password";
  }

  private static String unreachable(String endpoints, EtcdTarget target) {
    String within =
        "cannot reach etcd at "
            + endpoints
            + " within "
            + (target == null ? "the dial timeout" : DurationText.format(target.dialTimeout()));
    if (target == null) {
      return within + ": is it running?";
    }
    if (target.usesTls()) {
      return within + ": is it running? (and does it speak TLS with the CA given by --cacert?)";
    }
    for (String endpoint : target.endpoints()) {
      if (TlsProbe.speaksTls(endpoint, target.dialTimeout())) {
        return within
            + ": "
            + endpoint
            + " speaks TLS, and this client plaintext: give --cacert with the CA that signed "
            + "etcd's certificate (and --cert and --key if etcd asks for a client certificate)";
      }
    }
    return within + ": is it running?";
  }

  /** The library's TLS diagnosis from its first "TLS" on, in this tool's option names. */
  private static String tlsAdvice(String message, EtcdTarget target) {
    int tls = message.indexOf("TLS");
    String text = OptionNames.of(tls < 0 ? message : message.substring(tls));
    if (target != null && !target.usesTls()) {
      // An https:// endpoint without --cacert: the JDK's trust store was asked, not a CA file.
      text =
          text.replace("not trusted by --cacert", "not trusted by the JDK's default CAs")
              + "; give --cacert with the CA that signed etcd's certificate";
    }
    return text;
  }

  private static String messages(Throwable error) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = error; t != null && text.length() < 10_000; t = t.getCause()) {
      text.append(t.getMessage()).append('\n');
      if (t.getCause() == t) {
        break;
      }
    }
    return text.toString();
  }

  private static String firstMessage(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getMessage();
      }
    }
    return error.toString();
  }

  private static EtcdTarget targetOrNull(RegistryEtcdCommand root) {
    try {
      return root.target();
    } catch (RuntimeException invalid) {
      return null;
    }
  }

  /** Defence in depth: no message from any library may carry the password to the terminal. */
  static String scrub(String text, String secret) {
    return secret == null || secret.isEmpty() ? text : text.replace(secret, "***");
  }
}
