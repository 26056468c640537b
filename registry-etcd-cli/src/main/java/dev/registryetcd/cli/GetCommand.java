package dev.registryetcd.cli;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.registryetcd.cli.StoredValue.Skipped;
import dev.registryetcd.cli.StoredValue.StoredInstance;
import dev.registryetcd.discovery.NoInstanceException;
import io.etcd.jetcd.Client;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd get SERVICE}: the instances of one service, read as a resolver reads them
 * (one range read of {@code {prefix}/{service}/}), with their leases' TTLs.
 */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Shows the instances of one service, as a resolver sees them, with the seconds left on their lease.",
      "Exits with 3 when the service has no instance."
    })
final class GetCommand implements Callable<Integer> {
  private static final ObjectWriter PRETTY =
      InstanceJson.JSON.writer(
          new DefaultPrettyPrinter()
              .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE)
              .withSeparators(
                  Separators.createDefaultInstance()
                      .withObjectFieldValueSpacing(Separators.Spacing.AFTER)));

  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "SERVICE",
      converter = ServiceNameConverter.class,
      description = "The service, e.g. echo.")
  String service;

  @Option(
      names = "--json",
      description =
          "Print a JSON array of {network,address,weight,tags,lease,ttl}, values whole; lease in "
              + "hex, lease and ttl null without a lease.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    EtcdTarget target = root.target();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RegistryContents contents;
    try (Client client = target.newClient()) {
      contents = RegistryContents.read(client, target, target.serviceKey(service));
    }
    for (Skipped skipped : contents.skipped()) {
      err.println(skipped.line());
    }
    err.flush();
    if (contents.instances().isEmpty()) {
      throw new NoInstanceException(service);
    }
    if (json) {
      ArrayNode array = InstanceJson.JSON.createArrayNode();
      for (StoredInstance stored : contents.instances()) {
        InstanceJson.stored(array.addObject(), stored);
      }
      out.println(PRETTY.writeValueAsString(array));
      out.flush();
      return RegistryEtcdCommand.EXIT_OK;
    }
    Table table = new Table("ADDRESS", "NETWORK", "WEIGHT", "TAGS", "TTL");
    for (StoredInstance stored : contents.instances()) {
      table.row(
          stored.instance().address(),
          stored.instance().network(),
          Long.toString(stored.instance().weight()),
          InstanceText.tags(stored.instance().tags()),
          stored.ttlText());
    }
    table.print(out);
    return RegistryEtcdCommand.EXIT_OK;
  }
}
