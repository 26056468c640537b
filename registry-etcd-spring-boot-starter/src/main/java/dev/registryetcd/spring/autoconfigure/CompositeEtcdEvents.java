package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.events.EtcdEvents;
import java.time.Duration;
import java.util.List;

/** Hands every event to each of several observers, in order. */
final class CompositeEtcdEvents implements EtcdEvents {
  private final List<EtcdEvents> all;

  CompositeEtcdEvents(List<EtcdEvents> all) {
    this.all = List.copyOf(all);
  }

  @Override
  public void keepAliveFailed(KeepAliveFailure failure) {
    all.forEach(events -> events.keepAliveFailed(failure));
  }

  @Override
  public void leaseRecovered(int registrations) {
    all.forEach(events -> events.leaseRecovered(registrations));
  }

  @Override
  public void keyRestored() {
    all.forEach(EtcdEvents::keyRestored);
  }

  @Override
  public void watchRestarted(Source source, WatchEnd cause) {
    all.forEach(events -> events.watchRestarted(source, cause));
  }

  @Override
  public void valueSkipped(String key, String reason) {
    all.forEach(events -> events.valueSkipped(key, reason));
  }

  @Override
  public void listenerNotified(String service, Duration sinceEvent) {
    all.forEach(events -> events.listenerNotified(service, sinceEvent));
  }
}
