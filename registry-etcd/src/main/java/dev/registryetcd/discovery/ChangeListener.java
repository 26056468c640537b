package dev.registryetcd.discovery;

/**
 * Receives the changes of one service, one call at a time and in order, on a thread of the
 * resolver's (never on the etcd client's I/O threads). A listener that is slow or throws delays or
 * loses only its own deliveries.
 */
public interface ChangeListener {

  /**
   * Called first with every current instance as {@link Change#added()}, then with each change as
   * etcd reports it (one call per etcd batch).
   */
  void onChange(Change change);

  /**
   * Called when the resolver lost its view of etcd and serves the last known instances until it
   * reads them again; the next {@link #onChange} brings the difference. Does nothing by default.
   */
  default void onError(Throwable error) {}
}
