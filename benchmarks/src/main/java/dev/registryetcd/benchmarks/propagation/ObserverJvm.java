package dev.registryetcd.benchmarks.propagation;

import dev.registryetcd.benchmarks.baseline.EtcdFloor;
import dev.registryetcd.benchmarks.process.ParentLink;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdClients;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.events.EtcdEvents;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * The observing JVM of {@link PropagationScenario}: an {@link EtcdResolver} subscribed to the
 * service, and a plain etcd watch on the etcd-floor keys (its own client). Prints, with the {@code
 * System.nanoTime()} of delivery: {@code ADD <address> <t>}, {@code DEL <address> <t>} for the
 * resolver and {@code FPUT <key> <t>}, {@code FDEL <key> <t>} for the watch; {@code READY} once
 * both listen. Resolver lines carry one more field before the time, {@code ADD <address> <handoff>
 * <t>}: the resolver's own account ({@link EtcdEvents#listenerNotified}) of the time from the watch
 * event reaching this JVM to the listener call, or -1 for a change that came from a read.
 *
 * <p>The subscription uses the direct listener executor ({@code Runnable::run}), which a listener
 * that returns at once may choose.
 *
 * <p>Arguments: endpoint, prefix, service, floor prefix.
 */
public final class ObserverJvm {
  private ObserverJvm() {}

  public static void main(String[] args) throws IOException {
    List<String> endpoints = List.of(args[0]);
    ParentLink parent = new ParentLink();
    // listenerNotified runs on the listener's thread right before the listener, with the same
    // change
    ThreadLocal<Long> handoff = ThreadLocal.withInitial(() -> -1L);
    EtcdEvents handoffs =
        new EtcdEvents() {
          @Override
          public void listenerNotified(String service, Duration sinceEvent) {
            handoff.set(sinceEvent.toNanos());
          }
        };
    try (EtcdResolver resolver =
            EtcdResolver.builder()
                .endpoints(endpoints)
                .options(Option.withEtcdServicePrefix(args[1]))
                .events(handoffs)
                .build();
        Client floorClient = EtcdClients.newClient(endpoints)) {
      Subscription subscription =
          resolver.subscribe(
              args[2],
              change -> {
                long now = System.nanoTime();
                long sinceEvent = handoff.get();
                handoff.set(-1L);
                for (Instance instance : change.added()) {
                  parent.send("ADD " + instance.address() + " " + sinceEvent + " " + now);
                }
                for (Instance instance : change.updated()) {
                  parent.send("ADD " + instance.address() + " " + sinceEvent + " " + now);
                }
                for (Instance instance : change.removed()) {
                  parent.send("DEL " + instance.address() + " " + sinceEvent + " " + now);
                }
              },
              // the listener only writes a line, so it runs on the resolver's thread: no
              // hand-off to a listener thread
              Runnable::run);
      Watch.Watcher floor =
          EtcdFloor.watch(
              floorClient,
              args[3],
              false,
              (put, key, value, now) -> parent.send((put ? "FPUT " : "FDEL ") + key + " " + now));
      parent.send("READY");
      parent.serve();
      floor.close();
      subscription.close();
    }
    System.exit(0);
  }
}
