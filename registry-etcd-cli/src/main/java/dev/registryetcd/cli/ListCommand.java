package dev.registryetcd.cli;

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
          + "key's lease, - without one. Values that are not instances are reported on stderr with '!'."
    })
public final class ListCommand implements Callable<Integer> {
  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    EtcdTarget target = root.target();
    try (Client client = target.newClient()) {
      print(client, target, spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    return RegistryEtcdCommand.EXIT_OK;
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
    for (Skipped skipped : contents.skipped()) {
      err.println(skipped.line());
    }
    err.flush();
    if (contents.instances().isEmpty()) {
      out.println(
          "no service is registered under " + target.rootKey() + " at " + target.endpointsText());
      out.flush();
      return;
    }
    Table table = new Table("SERVICE", "ADDRESS", "NETWORK", "WEIGHT", "TAGS", "TTL");
    // Key order would put echo-b before echo ('-' < '/'): group by service name instead.
    List<StoredInstance> byService = new ArrayList<>(contents.instances());
    byService.sort(Comparator.comparing(StoredInstance::service));
    for (StoredInstance stored : byService) {
      table.row(
          stored.service(),
          stored.instance().address(),
          stored.instance().network(),
          Integer.toString(stored.instance().weight()),
          InstanceText.tags(stored.instance().tags()),
          stored.ttlText());
    }
    table.print(out);
  }
}
