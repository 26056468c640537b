package dev.registryetcd.benchmarks.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What one etcd member holds for its clients once Go has collected its garbage: the live heap and
 * the goroutine stacks, and the TCP connections on its client port. Unlike resident memory, these
 * do not depend on when Go last collected or returned memory, so they say what each client costs;
 * resident memory is about twice the live heap plus the stacks once the heap cycles (Go's default
 * {@code GOGC=100} lets the heap grow to twice what is live before it collects, and keeps that
 * memory while garbage keeps coming).
 *
 * <p>Reading it forces a collection in the member ({@code /debug/pprof/heap?gc=1}, which needs
 * etcd's {@code --enable-pprof}), so it is read once, after the resident memory.
 *
 * @param liveHeapBytes {@code go_memstats_heap_alloc_bytes} right after the collection
 * @param stackBytes {@code go_memstats_stack_inuse_bytes}: goroutine stacks
 * @param goroutines {@code go_goroutines}
 * @param connections established TCP connections whose local port is the member's client port
 */
record LiveMemory(long liveHeapBytes, long stackBytes, long goroutines, long connections) {
  static final LiveMemory NONE = new LiveMemory(0, 0, 0, 0);

  /** Forces a collection in the member at {@code base} (its client URL), then reads it. */
  static LiveMemory of(String base) {
    MemberReading.get(base + "/debug/pprof/heap?gc=1&debug=1");
    long heap = 0;
    long stacks = 0;
    long goroutines = 0;
    for (String line : MemberReading.get(base + "/metrics").split("\n")) {
      if (line.startsWith("go_memstats_heap_alloc_bytes ")) {
        heap = value(line);
      } else if (line.startsWith("go_memstats_stack_inuse_bytes ")) {
        stacks = value(line);
      } else if (line.startsWith("go_goroutines ")) {
        goroutines = value(line);
      }
    }
    int port = Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    return new LiveMemory(heap, stacks, goroutines, established(port));
  }

  LiveMemory plus(LiveMemory other) {
    return new LiveMemory(
        liveHeapBytes + other.liveHeapBytes,
        stackBytes + other.stackBytes,
        goroutines + other.goroutines,
        connections + other.connections);
  }

  LiveMemory minus(LiveMemory other) {
    return new LiveMemory(
        liveHeapBytes - other.liveHeapBytes,
        stackBytes - other.stackBytes,
        goroutines - other.goroutines,
        connections - other.connections);
  }

  private static long value(String line) {
    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  /** Established connections on local port {@code port}, from {@code /proc/net/tcp} (IPv4). */
  static long established(int port) {
    String local = String.format(Locale.ROOT, ":%04X", port);
    try {
      return Files.readAllLines(Path.of("/proc/net/tcp")).stream()
          .skip(1)
          .map(line -> line.trim().split("\\s+"))
          .filter(f -> f.length > 3 && f[1].endsWith(local) && f[3].equals("01"))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/net/tcp", e);
    }
  }
}
