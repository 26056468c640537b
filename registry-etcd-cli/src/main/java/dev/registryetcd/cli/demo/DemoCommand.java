package dev.registryetcd.cli.demo;

import dev.registryetcd.cli.EtcdTarget;
import dev.registryetcd.cli.RegistryEtcdCommand;
import dev.registryetcd.testkit.EtcdCluster;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd demo}: the project in a quarter of a minute. Without {@code --endpoints} (or
 * {@code ETCD_ENDPOINTS}) it starts a private etcd with the test kit and deletes it at the end;
 * with them it uses that etcd under a prefix of its own (unless {@code --prefix} is given) and
 * deletes its keys at the end. See {@link Demo} for the steps.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Shows gRPC service discovery on real etcd in a few seconds, every number measured in the run.",
      "Three gRPC Echo servers register as echo with weights 1, 2, 3 (in the Go extension's format); a client on "
          + "etcd:///echo splits its calls 1:2:3; one server shuts down gracefully while the client keeps calling; "
          + "one is killed and disappears when its lease expires; then the registry is listed.",
      "Without --endpoints (or ETCD_ENDPOINTS) it starts its own etcd (binary from ETCD_BIN or PATH) and "
          + "deletes it at the end. With them it uses a prefix of its own (unless --prefix is given) and deletes "
          + "its keys at the end."
    })
public final class DemoCommand implements Callable<Integer> {
  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    long started = System.nanoTime();
    EtcdTarget given = root.target();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Narration say = new Narration(out);
    say.title(
        "registry-etcd demo: gRPC servers register in etcd in the Kitex format; a client balances over them "
            + "by weight and follows them as they leave");
    say.heading("0. etcd");
    if (given.endpointsGiven()) {
      // Never write demo instances into a real registry: use a prefix nobody reads, unless told
      // otherwise.
      EtcdTarget target =
          given.prefixGiven()
              ? given
              : given.withPrefix(
                  "registry-etcd-demo/"
                      + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
      say.line(
          "using etcd at %s; the demo's keys go under %s and are deleted at the end",
          target.endpointsText(), target.rootKey());
      new Demo(say, err, target, false, root.childOptions(target), root.childPassword(target))
          .run();
    } else {
      long start = System.nanoTime();
      try (EtcdCluster cluster = EtcdCluster.single().start()) {
        say.line(
            "started a private etcd at %s in %s (the test kit: etcd binary from ETCD_BIN or PATH, data in %s)",
            cluster.member(0).clientHostPort(),
            Narration.time(System.nanoTime() - start),
            cluster.dataRoot());
        EtcdTarget target = given.plain(cluster.clientEndpointsAsHostPort(), given.prefix());
        new Demo(say, err, target, true, root.childOptions(target), null).run();
      }
      say.line("stopped the private etcd and deleted its data");
    }
    say.line("demo finished in %s", Narration.time(System.nanoTime() - started));
    return RegistryEtcdCommand.EXIT_OK;
  }
}
