package dev.registryetcd.benchmarks.fleet;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.etcd.ResolverStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ours: {@code clients} {@link EtcdResolver}s, each with its own jetcd client, each subscribed to
 * every service; every change a subscriber is given goes to {@link Arrivals}.
 */
final class OurFleet implements AutoCloseable {
  private final List<EtcdResolver> resolvers = new ArrayList<>();
  private final CountDownLatch firstCalls;

  OurFleet(List<String> endpoints, String prefix, int clients, List<String> services, Arrivals to) {
    firstCalls = new CountDownLatch(clients * services.size());
    try {
      for (int k = 0; k < clients; k++) {
        EtcdResolver resolver =
            EtcdResolver.builder()
                .endpoints(endpoints)
                .options(Option.withEtcdServicePrefix(prefix))
                .build();
        resolvers.add(resolver);
        int client = k;
        for (String service : services) {
          resolver.subscribe(
              service,
              new ChangeListener() {
                private boolean first = true;

                @Override
                public void onChange(Change change) {
                  if (first) {
                    first = false;
                    firstCalls.countDown();
                  }
                  for (Instance added : change.added()) {
                    to.saw(client, service, added.address(), true);
                  }
                  for (Instance removed : change.removed()) {
                    to.saw(client, service, removed.address(), false);
                  }
                }
              });
        }
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Waits until every subscriber had its first call (every service read by every client). */
  void awaitSubscribed(Duration bound) throws InterruptedException {
    if (!firstCalls.await(bound.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException(
          firstCalls.getCount()
              + " subscriptions had no first call within "
              + bound.toSeconds()
              + " s");
    }
  }

  List<EtcdResolver> resolvers() {
    return resolvers;
  }

  /** How many resolvers report healthy right now. */
  int healthy() {
    return (int)
        resolvers.stream().map(EtcdResolver::status).filter(ResolverStatus::healthy).count();
  }

  /** Watch restarts so far, over every resolver. */
  long watchRestarts() {
    return resolvers.stream().mapToLong(r -> r.status().watchRestarts()).sum();
  }

  @Override
  public void close() {
    resolvers.forEach(EtcdResolver::close);
  }
}
