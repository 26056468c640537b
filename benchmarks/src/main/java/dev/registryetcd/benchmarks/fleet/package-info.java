/**
 * The fleet scenario: many resolver clients, each its own etcd client, on a 3-member cluster while
 * a registry churns; etcd's watch streams, memory and the time for a change to reach every client,
 * against a plain jetcd watch per service per client; and the same through etcd's grpc-proxy.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.fleet;
