package dev.registryetcd.etcd.internal.registry;

import io.etcd.jetcd.api.LeaseGrpc;
import io.etcd.jetcd.api.LeaseKeepAliveRequest;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One keep-alive of one lease: one {@code LeaseKeepAlive} request on a call of its own, which the
 * client ends once the answer came.
 *
 * <p>Why not jetcd's {@code Lease.keepAliveOnce}: jetcd 0.8.7 writes the request, and once the
 * answer came ends its stream with the same request again, so every renewal costs etcd two
 * keep-alives (the scale benchmark counted 6 per TTL for a renewal every TTL/3).
 */
final class KeepAliveOnce {
  private KeepAliveOnce() {}

  /**
   * Sends one keep-alive of {@code leaseId}; completes with etcd's answer, or exceptionally with
   * gRPC's error, or with jetcd's "lease not found" error when etcd answers with no TTL (the lease
   * is gone).
   *
   * <p>The call has no deadline, as jetcd's has none: a keep-alive sent to a follower while the
   * leader is frozen waits there and renews the lease through the next leader once one is elected,
   * after the registry has already tried another member. Cutting it off at the TTL lost leases in
   * OneMemberFaultTest's frozen-leader case (2 of 2 runs).
   */
  static CompletableFuture<LeaseKeepAliveResponse> send(LeaseGrpc.LeaseStub stub, long leaseId) {
    CompletableFuture<LeaseKeepAliveResponse> answer = new CompletableFuture<>();
    AtomicReference<StreamObserver<LeaseKeepAliveRequest>> call = new AtomicReference<>();
    StreamObserver<LeaseKeepAliveRequest> requests =
        stub.leaseKeepAlive(
            new StreamObserver<>() {
              @Override
              public void onNext(io.etcd.jetcd.api.LeaseKeepAliveResponse response) {
                synchronized (call) { // held only while the request is written, never for long
                  endCall(call.get());
                }
                if (response.getTTL() > 0) {
                  answer.complete(new LeaseKeepAliveResponse(response));
                } else {
                  answer.completeExceptionally(
                      EtcdExceptionFactory.newEtcdException(
                          ErrorCode.NOT_FOUND, "etcdserver: requested lease not found"));
                }
              }

              @Override
              public void onError(Throwable error) {
                answer.completeExceptionally(error);
              }

              @Override
              public void onCompleted() {
                answer.completeExceptionally(
                    new IllegalStateException("etcd ended the keep-alive without an answer"));
              }
            });
    call.set(requests);
    try {
      // Not half-closed until the answer came: etcd's grpc-proxy ends the renewal it forwards
      // when the client's side ends ("context canceled"); a member answers either way.
      synchronized (call) { // a gRPC call is used by one thread at a time: this one or the answer's
        requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(leaseId).build());
      }
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  private static void endCall(StreamObserver<LeaseKeepAliveRequest> requests) {
    try {
      requests.onCompleted();
    } catch (RuntimeException e) {
      // the call ended already
    }
  }
}
