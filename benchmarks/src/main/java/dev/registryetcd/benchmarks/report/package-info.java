/**
 * Latency recording, tables, charts and verdicts, and the update of the benchmark docs.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.report;
