/**
 * The baselines: what the Go extension's approach costs on the same etcd (a read per resolve, a
 * lease per registration), and etcd's own floor.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.baseline;
