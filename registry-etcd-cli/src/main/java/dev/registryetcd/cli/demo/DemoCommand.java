package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.cli.RegistryEtcdCommand;
import dev.registryetcd.testkit.EtcdCluster;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd demo}: the project in half a minute. Without {@code --endpoints} (or
 * {@code ETCD_ENDPOINTS}) it starts a private etcd with the test kit and deletes it at the end;
 * with them it uses that etcd under a prefix of its own and deletes its keys at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Shows the registry and resolver at work on real etcd, step by step, in half a minute.",
        "Registration in the Go extension's format, resolution and change subscription, updates, a Go service's "
            + "value, recovery after etcd loses its data, deregistration; every time shown is measured in the run.",
        "Without --endpoints (or ETCD_ENDPOINTS) it starts its own etcd (binary from ETCD_BIN or PATH) and "
            + "deletes it at the end. With them it uses a prefix of its own (unless --prefix is given) and deletes "
            + "its keys at the end; the data-loss step then is skipped."})
public final class DemoCommand implements Callable<Integer> {
  @ParentCommand
  RegistryEtcdCommand root;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    long started = System.nanoTime();
    EtcdTarget given = root.target();
    PrintWriter out = spec.commandLine().getOut();
    Narration say = new Narration(out);
    say.title("registry-etcd demo: a Java registry and resolver on real etcd, in the Kitex etcd extension's format");
    if (given.endpointsGiven()) {
      // Never write demo instances into a real registry: use a prefix nobody reads, unless told otherwise.
      EtcdTarget target = given.prefixGiven() ? given
          : given.withPrefix("registry-etcd-demo/" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
      say.heading("0. etcd");
      say.line("using etcd at %s; the demo's keys go under %s and are deleted at the end", target.endpointsText(),
          target.rootKey());
      new Demo(say, target, null).run();
    } else {
      say.heading("0. etcd");
      long start = System.nanoTime();
      try (EtcdCluster cluster = EtcdCluster.single().start()) {
        say.line("started a private etcd at %s in %s (the test kit: etcd binary from ETCD_BIN or PATH, data in %s)",
            cluster.member(0).clientHostPort(), Narration.time(System.nanoTime() - start), cluster.dataRoot());
        new Demo(say, given.plain(cluster.clientEndpointsAsHostPort(), given.prefix()), cluster.member(0)).run();
      }
      say.line("stopped the private etcd and deleted its data");
    }
    say.line("demo finished in %s", Narration.time(System.nanoTime() - started));
    return RegistryEtcdCommand.EXIT_OK;
  }
}
