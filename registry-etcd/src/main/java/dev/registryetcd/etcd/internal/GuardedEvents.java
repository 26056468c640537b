package dev.registryetcd.etcd.internal;

import dev.registryetcd.events.EtcdEvents;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a user's {@link EtcdEvents} observer; what it throws is logged and never breaks the
 * component that tells it.
 */
public final class GuardedEvents {
  private static final Logger log = LoggerFactory.getLogger(GuardedEvents.class);

  private final EtcdEvents events;
  private final String component;

  /**
   * @param component who tells, for the log line, e.g. {@code "registry"}
   */
  public GuardedEvents(EtcdEvents events, String component) {
    this.events = events;
    this.component = component;
  }

  public void emit(Consumer<EtcdEvents> event) {
    try {
      event.accept(events);
    } catch (RuntimeException e) {
      log.warn("The {}'s EtcdEvents observer threw; ignored", component, e);
    }
  }
}
