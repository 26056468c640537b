package dev.registryetcd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.registryetcd.cli.StoredValue.Skipped;
import dev.registryetcd.cli.StoredValue.StoredInstance;
import io.etcd.jetcd.Client;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd list}: every service under the prefix with its instances, as a table; the
 * demo prints it too.
 */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = {
      "Lists every service under the prefix with its instances.",
      "WEIGHT is what resolvers use (a registered weight <= 0 reads as 10); TTL is the seconds left on the "
          + "key's lease, - without one. Values that are not instances are reported on stderr with '!'.",
      "Text from etcd is escaped (control characters as \\n, \\x1b, ...) and cells longer than "
          + TerminalText.MAX_CELL
          + " characters are cut with ...(+N chars); --json shows them whole."
    })
public final class ListCommand implements Callable<Integer> {
  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Option(
      names = "--json",
      description =
          "Print one JSON object per instance and line: {service, key, network, address, weight, "
              + "tags, lease, ttl}, values whole; lease in hex, lease and ttl null without a lease.")
  boolean json;

  @Override
  public Integer call() {
    EtcdTarget target = root.target();
    try (Client client = target.newClient()) {
      if (json) {
        printJson(client, target, spec.commandLine().getOut(), spec.commandLine().getErr());
      } else {
        print(client, target, spec.commandLine().getOut(), spec.commandLine().getErr());
      }
    }
    return RegistryEtcdCommand.EXIT_OK;
  }

  /** {@code list --json}: one object per instance and line, nothing when there is none. */
  private static void printJson(
      Client client, EtcdTarget target, PrintWriter out, PrintWriter err) {
    RegistryContents contents = RegistryContents.read(client, target, target.rootKey());
    printSkipped(contents, err);
    for (StoredInstance stored : byService(contents)) {
      ObjectNode node = InstanceJson.JSON.createObjectNode();
      node.put("service", stored.service());
      node.put("key", stored.key());
      out.println(InstanceJson.line(InstanceJson.stored(node, stored)));
    }
    out.flush();
  }

  private static void printSkipped(RegistryContents contents, PrintWriter err) {
    for (Skipped skipped : contents.skipped()) {
      err.println(skipped.line());
    }
    err.flush();
  }

  /** Key order would put echo-b before echo ('-' < '/'): grouped by service name instead. */
  private static List<StoredInstance> byService(RegistryContents contents) {
    List<StoredInstance> byService = new ArrayList<>(contents.instances());
    byService.sort(Comparator.comparing(StoredInstance::service));
    return byService;
  }

  /**
   * Reads every service under {@code target}'s prefix through {@code client} and prints them as
   * {@code registry-etcd list} does: the table (or "no service is registered") on {@code out},
   * values that are not instances on {@code err}. Each request is bounded by the dial timeout.
   *
   * @throws dev.registryetcd.registry.RegistryException when etcd does not answer
   */
  public static void print(Client client, EtcdTarget target, PrintWriter out, PrintWriter err) {
    RegistryContents contents = RegistryContents.read(client, target, target.rootKey());
    printSkipped(contents, err);
    if (contents.instances().isEmpty()) {
      out.println(
          "no service is registered under " + target.rootKey() + " at " + target.endpointsText());
      out.flush();
      return;
    }
    Table table = new Table("SERVICE", "ADDRESS", "NETWORK", "WEIGHT", "TAGS", "TTL");
    for (StoredInstance stored : byService(contents)) {
      table.row(
          stored.service(),
          stored.instance().address(),
          stored.instance().network(),
          Long.toString(stored.instance().weight()),
          InstanceText.tags(stored.instance().tags()),
          stored.ttlText());
    }
    table.print(out);
  }
}
