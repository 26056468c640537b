package dev.registryetcd.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Runs {@code registry-etcd} in this JVM, as {@code main} would, and captures what it prints. Its
 * environment is a map, so the machine's {@code ETCD_*} variables never leak into a test.
 */
final class Cli {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final Function<String, String> env;

  private Cli(Map<String, String> env) {
    this.env = env::get;
  }

  /** Runs {@code args} with an empty environment and returns when the command ends. */
  static Result run(String... args) {
    return new Cli(Map.of()).execute(args);
  }

  /** Runs {@code args} with {@code env} as the environment. */
  static Result runWithEnv(Map<String, String> env, String... args) {
    return new Cli(env).execute(args);
  }

  /** Starts {@code args} on another thread; {@link #out()} shows what it printed so far. */
  static Cli start(String... args) {
    Cli cli = new Cli(Map.of());
    cli.running = CompletableFuture.supplyAsync(() -> cli.execute(args));
    return cli;
  }

  private CompletableFuture<Result> running;

  /** What a running command printed on stdout so far. */
  String out() {
    return out.toString();
  }

  /** What a running command printed on stderr so far. */
  String err() {
    return err.toString();
  }

  /** The result of a command begun with {@link #start}. */
  CompletableFuture<Result> result() {
    return running;
  }

  private Result execute(String... args) {
    CommandLine commandLine = RegistryEtcdCommand.newCommandLine(new RegistryEtcdCommand(env));
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Result(exitCode, out.toString(), err.toString());
  }

  /** What a finished command did. */
  record Result(int exitCode, String out, String err) {
    /** Everything printed, for assertions about what must appear nowhere. */
    String all() {
      return out + err;
    }

    /** Stdout read as one JSON object a line, as {@code --json} prints it. */
    List<JsonNode> outJsonLines() throws JsonProcessingException {
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : out.lines().toList()) {
        lines.add(json.readTree(line));
      }
      return lines;
    }
  }
}
