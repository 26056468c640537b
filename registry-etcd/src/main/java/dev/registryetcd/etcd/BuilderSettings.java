package dev.registryetcd.etcd;

import dev.registryetcd.etcd.internal.ClientHandle;
import dev.registryetcd.events.EtcdEvents;
import io.etcd.jetcd.Client;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What the registry's and the resolver's builders take the same way: the endpoints, the Go
 * extension's options, a shared client and who hears events. Both builders delegate here, so the
 * two doors check their input and apply options identically. Not thread-safe.
 */
final class BuilderSettings {
  private List<String> endpoints = List.of();
  private final List<Option> options = new ArrayList<>();
  private Client client;
  private EtcdEvents events = EtcdEvents.NONE;

  void endpoints(List<String> endpoints) {
    this.endpoints = List.copyOf(Objects.requireNonNull(endpoints, "endpoints"));
  }

  void options(Option... options) {
    this.options.addAll(Arrays.asList(options));
  }

  void client(Client client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  void events(EtcdEvents events) {
    this.events = Objects.requireNonNull(events, "events");
  }

  EtcdEvents events() {
    return events;
  }

  /** Go's defaults changed by the options, in the order given. */
  Settings settings() {
    return new Settings(endpoints, options.toArray(new Option[0]));
  }

  /** The client given to the builder, else a new one made as {@code settings} say. */
  ClientHandle connect(Settings settings) {
    return ClientHandle.givenOrNew(client, settings.clientSettings());
  }
}
