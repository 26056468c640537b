package dev.registryetcd.grpc.internal;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.LiveDiscovery;
import dev.registryetcd.discovery.Result;
import dev.registryetcd.discovery.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

/**
 * An in-memory {@link LiveDiscovery}: {@link #publish} sets a service's instances and calls its
 * listeners at once, on the caller's thread (as a direct executor would).
 */
final class FakeLiveDiscovery implements LiveDiscovery {
  private final Map<String, List<Instance>> services = new ConcurrentHashMap<>();
  final List<Sub> subscriptions = new CopyOnWriteArrayList<>();
  volatile RuntimeException failNextSubscribe;

  final class Sub implements Subscription {
    final String service;
    final ChangeListener listener;
    volatile boolean closed;

    Sub(String service, ChangeListener listener) {
      this.service = service;
      this.listener = listener;
    }

    @Override
    public void close() {
      closed = true;
      subscriptions.remove(this);
    }
  }

  void publish(String service, Instance... instances) {
    List<Instance> previous = services.getOrDefault(service, List.of());
    List<Instance> next = List.of(instances);
    services.put(service, next);
    Change change =
        new Change(
            new Result(true, service, next),
            next.stream().filter(i -> !previous.contains(i)).toList(),
            List.of(),
            previous.stream().filter(i -> !next.contains(i)).toList());
    for (Sub sub : subscriptions) {
      if (sub.service.equals(service)) {
        sub.listener.onChange(change);
      }
    }
  }

  void fail(String service, Throwable error) {
    for (Sub sub : subscriptions) {
      if (sub.service.equals(service)) {
        sub.listener.onError(error);
      }
    }
  }

  @Override
  public Subscription subscribe(String service, ChangeListener listener) {
    return subscribe(service, listener, Runnable::run);
  }

  @Override
  public Subscription subscribe(String service, ChangeListener listener, Executor executor) {
    RuntimeException failure = failNextSubscribe;
    if (failure != null) {
      failNextSubscribe = null;
      throw failure;
    }
    Sub sub = new Sub(service, listener);
    subscriptions.add(sub);
    List<Instance> current = services.get(service);
    if (current != null) {
      listener.onChange(
          new Change(new Result(true, service, current), current, List.of(), List.of()));
    }
    return sub;
  }

  @Override
  public Set<String> services() {
    Set<String> names = new TreeSet<>();
    services.forEach(
        (name, instances) -> {
          if (!instances.isEmpty()) {
            names.add(name);
          }
        });
    return names;
  }

  @Override
  public List<Instance> instances(String service) {
    return new ArrayList<>(services.getOrDefault(service, List.of()));
  }
}
