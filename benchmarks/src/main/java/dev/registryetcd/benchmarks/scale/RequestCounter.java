package dev.registryetcd.benchmarks.scale;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the messages a jetcd client sends to etcd, per gRPC method: a {@link ClientInterceptor}
 * for {@code Client.builder().interceptor(...)}. On a stream (keep-alive, watch) each message
 * counts, not the stream.
 */
public final class RequestCounter implements ClientInterceptor {
  /** The method every lease keep-alive is sent on. */
  public static final String KEEP_ALIVE = "etcdserverpb.Lease/LeaseKeepAlive";

  private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(
      MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    LongAdder count = sent.computeIfAbsent(method.getFullMethodName(), name -> new LongAdder());
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void sendMessage(Q message) {
        count.increment();
        super.sendMessage(message);
      }
    };
  }

  /** Messages sent so far on {@code method} (e.g. {@link #KEEP_ALIVE}). */
  public long sent(String method) {
    LongAdder count = sent.get(method);
    return count == null ? 0 : count.sum();
  }

  /** Messages sent so far, by method. */
  public Map<String, Long> snapshot() {
    Map<String, Long> counts = new TreeMap<>();
    sent.forEach((method, count) -> counts.put(method, count.sum()));
    return counts;
  }

  /** {@code after - before} per method, leaving out methods with no message between. */
  public static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> difference = new TreeMap<>();
    after.forEach(
        (method, count) -> {
          long sentBetween = count - before.getOrDefault(method, 0L);
          if (sentBetween > 0) {
            difference.put(method, sentBetween);
          }
        });
    return difference;
  }
}
