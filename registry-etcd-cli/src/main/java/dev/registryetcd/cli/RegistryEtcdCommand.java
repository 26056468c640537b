package dev.registryetcd.cli;

import dev.registryetcd.cli.demo.DemoCommand;
import dev.registryetcd.cli.demo.DemoServerCommand;
import dev.registryetcd.etcd.Option;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.LogManager;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code registry-etcd} command: its global options, inherited by every subcommand, and {@link
 * #main}.
 *
 * <p>Exit codes: {@value #EXIT_OK} done, {@value #EXIT_ETCD} etcd unreachable or refusing, {@value
 * #EXIT_USAGE} bad usage, {@value #EXIT_NOT_FOUND} service not found.
 *
 * <p>One instance serves one execution; it is not thread-safe.
 */
@Command(
    name = "registry-etcd",
    mixinStandardHelpOptions = true,
    versionProvider = RegistryEtcdCommand.Version.class,
    subcommands = {
      ListCommand.class,
      GetCommand.class,
      WatchCommand.class,
      RegisterCommand.class,
      DemoCommand.class,
      DemoServerCommand.class
    },
    description = {
      "Service registration and discovery on etcd, in the Kitex etcd extension's format.",
      "Keys are {prefix}/{service}/{address}; values are the Go extension's JSON."
    },
    footer = {
      "",
      "Exit codes: 0 done, 1 etcd unreachable or refusing, 2 bad usage, 3 service not found.",
      "Run 'registry-etcd demo' to see it all against an etcd it starts itself."
    })
public final class RegistryEtcdCommand implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_ETCD = 1;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_NOT_FOUND = 3;

  static final String DEFAULT_ENDPOINT = "127.0.0.1:2379";
  static final String DEFAULT_PREFIX = "kitex/registry-etcd";

  private final Function<String, String> env;

  @Spec CommandSpec spec;

  @CommandLine.Option(
      names = "--endpoints",
      split = ",",
      paramLabel = "ENDPOINT",
      scope = ScopeType.INHERIT,
      description =
          "etcd endpoints, comma-separated, host:port or http(s)://host:port "
              + "(default: $ETCD_ENDPOINTS, else "
              + DEFAULT_ENDPOINT
              + ").")
  List<String> endpoints;

  @CommandLine.Option(
      names = "--prefix",
      paramLabel = "PREFIX",
      scope = ScopeType.INHERIT,
      description =
          "Key prefix of the registry (default: "
              + DEFAULT_PREFIX
              + "; Hertz uses hertz/registry-etcd).")
  String prefix;

  @CommandLine.Option(
      names = "--user",
      paramLabel = "USER",
      scope = ScopeType.INHERIT,
      description = "etcd user name.")
  String user;

  // Interactive: '--password' alone prompts without echo, so the password stays out of 'ps'.
  @CommandLine.Option(
      names = "--password",
      paramLabel = "PASSWORD",
      scope = ScopeType.INHERIT,
      arity = "0..1",
      interactive = true,
      description =
          "Password of --user (default: $ETCD_PASSWORD; alone, it prompts without echo). Never printed.")
  String password;

  @CommandLine.Option(
      names = "--cert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Client certificate (PEM) for TLS; goes with --key and --cacert.")
  Path cert;

  @CommandLine.Option(
      names = "--key",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Private key (PEM) of --cert.")
  Path key;

  @CommandLine.Option(
      names = "--cacert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "CA certificate (PEM) that signed etcd's certificate; turns TLS on.")
  Path cacert;

  @CommandLine.Option(
      names = "--dial-timeout",
      paramLabel = "DURATION",
      scope = ScopeType.INHERIT,
      defaultValue = "5s",
      converter = DurationText.Converter.class,
      description = "How long to wait for etcd, e.g. 5s, 500ms (default: ${DEFAULT-VALUE}).")
  Duration dialTimeout;

  boolean verbose;

  /** A command reading its defaults from the process environment. */
  public RegistryEtcdCommand() {
    this(System::getenv);
  }

  /**
   * A command reading {@code ETCD_ENDPOINTS} and {@code ETCD_PASSWORD} from {@code env} (for
   * tests).
   */
  public RegistryEtcdCommand(Function<String, String> env) {
    this.env = Objects.requireNonNull(env, "env");
  }

  @CommandLine.Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log at INFO to stderr and show stack traces of failures.")
  void verbose(boolean verbose) {
    this.verbose = verbose;
    // Read by slf4j-simple when its first logger is made, which is after parsing.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
    // jetcd warns of each retry it makes ("maximum number of auto retries reached"): the
    // command's own message says what failed, so without -v only its errors show.
    System.setProperty("org.slf4j.simpleLogger.log.io.etcd.jetcd", verbose ? "info" : "error");
    // gRPC and Netty log through java.util.logging to stderr; without -v only their severe messages
    // matter, since our own messages say what failed.
    LogManager.getLogManager().getLogger("").setLevel(verbose ? Level.INFO : Level.SEVERE);
  }

  /** Runs the command line {@code args} and exits with its exit code. */
  public static void main(String[] args) {
    TerminalStream.install(); // first: loggers capture System.err when they are made
    System.setProperty("org.slf4j.simpleLogger.log.io.etcd.jetcd", "error"); // until -v
    LogManager.getLogManager().getLogger("").setLevel(Level.SEVERE); // until -v says otherwise
    System.exit(newCommandLine(new RegistryEtcdCommand()).execute(args));
  }

  /** A command line for {@code command} with this tool's exit codes and error messages. */
  public static CommandLine newCommandLine(RegistryEtcdCommand command) {
    CommandLine commandLine = new CommandLine(command);
    commandLine.setExecutionExceptionHandler(new Failures());
    commandLine.setCaseInsensitiveEnumValuesAllowed(true);
    return commandLine;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing command: give one of list, get, watch, register, demo");
  }

  /**
   * The etcd settings of this execution.
   *
   * @throws CommandLine.ParameterException when options contradict each other or a TLS file is
   *     missing
   */
  public EtcdTarget target() {
    List<String> given = endpoints;
    boolean endpointsGiven = given != null && !given.isEmpty();
    if (!endpointsGiven) {
      String fromEnv = env.apply("ETCD_ENDPOINTS");
      endpointsGiven = fromEnv != null && !fromEnv.isBlank();
      given = endpointsGiven ? List.of(fromEnv.split(",")) : List.of(DEFAULT_ENDPOINT);
    }
    List<String> cleaned = new ArrayList<>();
    for (String endpoint : given) {
      if (!endpoint.isBlank()) {
        cleaned.add(endpoint.trim());
      }
    }
    if (cleaned.isEmpty()) {
      throw usage("--endpoints names no endpoint: give host:port, e.g. --endpoints 127.0.0.1:2379");
    }
    boolean prefixGiven = prefix != null;
    String effectivePrefix = prefixGiven ? prefix : DEFAULT_PREFIX;
    if (effectivePrefix.isEmpty()) {
      throw usage("--prefix must not be empty: e.g. --prefix " + DEFAULT_PREFIX);
    }
    List<Option> connection = new ArrayList<>();
    String effectivePassword = password != null ? password : env.apply("ETCD_PASSWORD");
    if (user != null) {
      if (user.isEmpty()) {
        throw usage("--user must not be empty");
      }
      if (effectivePassword == null) {
        throw usage(
            "--user "
                + user
                + " needs a password: give --password (alone, it prompts) or set ETCD_PASSWORD");
      }
      connection.add(Option.withAuthOpt(user, effectivePassword));
    } else if (password != null) {
      throw usage("--password needs --user: give the etcd user name too");
    }
    if (cert != null || key != null || cacert != null) {
      if (cacert == null) {
        throw usage("--cert and --key need --cacert: the CA that signed etcd's certificate");
      }
      if ((cert == null) != (key == null)) {
        throw usage(
            cert == null
                ? "--key " + key + " needs --cert: the certificate of that key"
                : "--cert " + cert + " needs --key: the private key of that certificate");
      }
      try {
        connection.add(Option.withTLSOpt(text(cert), text(key), cacert.toString()));
      } catch (IllegalArgumentException e) {
        throw usage(OptionNames.of(e.getMessage()));
      }
    }
    if (dialTimeout.isZero() || dialTimeout.isNegative()) {
      throw usage(
          "--dial-timeout must be positive, e.g. 5s, not " + DurationText.format(dialTimeout));
    }
    return new EtcdTarget(
        cleaned, endpointsGiven, effectivePrefix, prefixGiven, dialTimeout, user, connection);
  }

  /**
   * The global options with which a child {@code registry-etcd} process reaches {@code target} as
   * this one does: endpoints, prefix, dial timeout, and the user and TLS files when {@code target}
   * uses them, plus {@code -v}. Never the password, which {@code ps} would show: give the child
   * {@link #childPassword} as {@code ETCD_PASSWORD}.
   */
  public List<String> childOptions(EtcdTarget target) {
    List<String> options =
        new ArrayList<>(
            List.of(
                "--endpoints",
                target.endpointsText(),
                "--prefix",
                target.prefix(),
                "--dial-timeout",
                DurationText.format(target.dialTimeout())));
    if (target.user() != null) {
      options.addAll(List.of("--user", target.user()));
    }
    // A target without connection options is plain (e.g. the demo's own etcd), whatever was given.
    if (!target.connection().isEmpty() && cacert != null) {
      if (cert != null) {
        options.addAll(List.of("--cert", cert.toAbsolutePath().toString()));
      }
      if (key != null) {
        options.addAll(List.of("--key", key.toAbsolutePath().toString()));
      }
      options.addAll(List.of("--cacert", cacert.toAbsolutePath().toString()));
    }
    if (verbose) {
      options.add("--verbose");
    }
    return options;
  }

  /**
   * The password a child process needs for {@code target} (see {@link #childOptions}), or {@code
   * null}.
   */
  public String childPassword(EtcdTarget target) {
    return target.user() == null ? null : secret();
  }

  /**
   * The password of this execution, so that failure messages can be scrubbed of it; may be {@code
   * null}.
   */
  String secret() {
    return password != null ? password : user != null ? env.apply("ETCD_PASSWORD") : null;
  }

  boolean isVerbose() {
    return verbose;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  private static String text(Path path) {
    return path == null ? null : path.toString();
  }

  /** Reads the version Maven wrote into {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = RegistryEtcdCommand.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {
        "registry-etcd " + properties.getProperty("version", "(unknown version)"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vm.name")
            + ")"
      };
    }
  }
}
