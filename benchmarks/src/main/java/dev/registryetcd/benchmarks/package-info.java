/** Benchmarks of registry-etcd against the Go extension's approach, measured in the same run. */
package dev.registryetcd.benchmarks;
