/**
 * The warm {@code resolve} benchmark (JMH) and scenario.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.resolve;
