package dev.registryetcd.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a {@link ProxyConnection}: a reader thread that reads chunks and decides, per
 * chunk, to drop it (blackhole) or stamp it with the time it is due, and a writer thread that
 * forwards the chunks in order when due. Two threads, so that a delay shifts every chunk by the
 * same amount instead of adding up; the bounded queue passes backpressure on.
 */
final class ProxyPipe {

  private static final int CHUNK_BYTES = 16 * 1024;
  private static final int QUEUED_CHUNKS = 64;
  private static final long EOF_RECHECK_MILLIS = 250;
  private static final Chunk END_OF_STREAM = new Chunk(new byte[0], 0);

  private final ProxyConnection connection;
  private final Direction direction;
  private final Socket from;
  private final Socket to;
  private final BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUED_CHUNKS);

  private volatile boolean lostBytes;
  private volatile Thread writer;
  private volatile Thread reader;

  private record Chunk(byte[] bytes, long dueNanos) {}

  ProxyPipe(ProxyConnection connection, Direction direction, Socket from, Socket to) {
    this.connection = connection;
    this.direction = direction;
    this.from = from;
    this.to = to;
  }

  void start() {
    Thread w = new Thread(this::writeLoop, connection.threadName(direction, "write"));
    w.setDaemon(true);
    writer = w;
    Thread r = new Thread(this::readLoop, connection.threadName(direction, "read"));
    r.setDaemon(true);
    reader = r;
    w.start();
    r.start();
  }

  /**
   * Wakes both threads after the sockets were closed: the writer may wait for a chunk or its due
   * time, the reader for room in the queue.
   */
  void stop() {
    for (Thread t : new Thread[] {writer, reader}) {
      if (t != null) {
        t.interrupt();
      }
    }
  }

  /** True once a blackhole dropped bytes of this direction. */
  boolean lostBytes() {
    return lostBytes;
  }

  private void readLoop() {
    byte[] buffer = new byte[CHUNK_BYTES];
    try {
      InputStream in = from.getInputStream();
      while (true) {
        int n = in.read(buffer);
        if (n < 0) {
          queue.put(END_OF_STREAM);
          return;
        }
        Fault fault = connection.fault(direction);
        if (fault instanceof Fault.Blackhole) {
          drop();
          continue;
        }
        long delay = fault instanceof Fault.Delay d ? d.delay().toNanos() : 0;
        queue.put(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delay));
      }
    } catch (IOException e) {
      connection.reset(); // pass a failure on as a failure, to the other side
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void writeLoop() {
    try {
      OutputStream out = to.getOutputStream();
      while (true) {
        Chunk chunk = queue.take();
        if (chunk == END_OF_STREAM) {
          // A FIN is held back while blackholed, like a retransmitted FIN that arrives after heal.
          while (connection.isBlackholed(direction)
              && !connection.isClosed()
              && !connection.proxy().isClosed()) {
            connection.proxy().awaitChange(EOF_RECHECK_MILLIS);
          }
          to.shutdownOutput();
          connection.pipeFinished();
          return;
        }
        long wait = chunk.dueNanos() - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        if (connection.isBlackholed(direction)) {
          drop(); // blackholed while the chunk waited for its delay
          continue;
        }
        out.write(chunk.bytes());
        out.flush();
      }
    } catch (IOException e) {
      connection.reset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Marks the loss, then looks at the fault again: if the blackhole was lifted meanwhile, the heal
   * may have missed the mark, so the connection resets itself.
   */
  private void drop() {
    lostBytes = true;
    if (!connection.isBlackholed(direction)) {
      connection.reset();
    }
  }
}
