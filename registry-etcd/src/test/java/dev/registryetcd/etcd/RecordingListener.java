package dev.registryetcd.etcd;

import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What one subscriber was told: every change and error, in order. */
final class RecordingListener implements ChangeListener {
  final List<Change> changes = new CopyOnWriteArrayList<>();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();

  @Override
  public void onChange(Change change) {
    changes.add(change);
  }

  @Override
  public void onError(Throwable error) {
    errors.add(error);
  }

  List<String> addresses() {
    return changes.isEmpty()
        ? List.of()
        : changes.get(changes.size() - 1).result().instances().stream()
            .map(Instance::address)
            .toList();
  }

  List<String> added() {
    return changes.stream()
        .flatMap(change -> change.added().stream())
        .map(Instance::address)
        .toList();
  }
}
