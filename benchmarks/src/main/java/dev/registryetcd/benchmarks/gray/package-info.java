/**
 * Benchmark 6, gray failures: one member of a three-member cluster frozen, cut off from its clients
 * or from its peers, and the whole cluster stopped; ours against plain jetcd leases and watches
 * with default settings, measured in the same run from etcd's own history. Not an API.
 */
package dev.registryetcd.benchmarks.gray;
