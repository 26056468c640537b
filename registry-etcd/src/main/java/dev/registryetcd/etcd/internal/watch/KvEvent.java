package dev.registryetcd.etcd.internal.watch;

/** One change a watch reported: a put of {@code kv}, or its deletion. */
public record KvEvent(Type type, Kv kv) {
  /** What happened to the key. */
  public enum Type {
    PUT,
    DELETE
  }
}
