package dev.registryetcd.etcd.internal.watch;

import java.util.List;

/** What a read of a range answered: its keys and etcd's revision at the time of the read. */
public record RangeRead(List<Kv> kvs, long revision) {
  public RangeRead {
    kvs = List.copyOf(kvs);
  }
}
