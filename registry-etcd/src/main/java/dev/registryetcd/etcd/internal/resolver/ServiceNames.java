package dev.registryetcd.etcd.internal.resolver;

import dev.registryetcd.etcd.internal.EtcdCalls;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The resolver's {@code services()}: makes its {@link Catalog} on first use, waits for its first
 * read, and forgets one whose first read failed so that the next call starts again.
 *
 * <p>Threads: {@link #names()}, {@link #isFailing()} may be called anywhere (the catalog is made
 * under this object's lock); {@link #isIdle()}, {@link #restart}, {@link #confirm}, {@link
 * #unconfirm} and {@link #close()} only on the resolver's loop, which owns the catalog's state.
 */
public final class ServiceNames {
  private final ResolverContext context;
  private final BooleanSupplier resolverClosed;
  private volatile Catalog catalog;

  public ServiceNames(ResolverContext context, BooleanSupplier resolverClosed) {
    this.context = context;
    this.resolverClosed = resolverClosed;
  }

  /**
   * Every service name with a key under the prefix: from memory once read, else after the first
   * read (bounded by the dial timeout), which starts the catalog's watch.
   *
   * @throws IllegalStateException when the resolver is closed
   * @throws dev.registryetcd.registry.RegistryException when etcd cannot be read the first time
   */
  public Set<String> names() {
    if (resolverClosed.getAsBoolean()) {
      throw new IllegalStateException("this etcd resolver is closed");
    }
    Catalog current = catalog;
    if (current == null) {
      synchronized (this) {
        if (resolverClosed.getAsBoolean()) {
          throw new IllegalStateException("this etcd resolver is closed");
        }
        current = catalog;
        if (current == null) {
          current = new Catalog(context);
          catalog = current;
          context.loop().execute(current::start);
        }
      }
    }
    Set<String> names = current.names();
    if (names != null) {
      return names;
    }
    String what = "read " + context.prefix() + "/ from " + context.etcd();
    Catalog reading = current;
    try {
      context.awaitFirstRead(current.loaded(), what, "services", () -> drop(reading));
      return current.names();
    } catch (ExecutionException e) {
      drop(current);
      throw EtcdCalls.failure(what, e.getCause());
    }
  }

  /** Whether the names are followed but not known to be up to date. May be called anywhere. */
  public boolean isFailing() {
    Catalog names = catalog;
    return names != null && names.failing();
  }

  /** Whether no name is followed: none asked for, or not read yet. Loop only. */
  public boolean isIdle() {
    Catalog current = catalog;
    return current == null || current.names() == null;
  }

  /** Reads the names again, for {@code why}. Loop only. */
  public void restart(Throwable why) {
    Catalog now = catalog;
    if (now != null) {
      now.restart(why);
    }
  }

  /** Confirms the catalog's watch against etcd's {@code revision}. Loop only. */
  public void confirm(long revision) {
    Catalog now = catalog;
    if (now != null) {
      now.confirm(revision);
    }
  }

  /** Marks the catalog's watch unconfirmed. Loop only. */
  public void unconfirm() {
    Catalog now = catalog;
    if (now != null) {
      now.unconfirm();
    }
  }

  /** Stops the catalog's watch. Loop only. */
  public void close() {
    Catalog current = catalog;
    if (current != null) {
      current.close();
    }
  }

  /** Forgets a catalog whose first read failed, so the next {@link #names()} starts again. */
  private void drop(Catalog failed) {
    context
        .loop()
        .execute(
            () -> {
              if (failed.names() == null) {
                failed.close();
                synchronized (this) {
                  if (catalog == failed) {
                    catalog = null;
                  }
                }
              }
            });
  }
}
