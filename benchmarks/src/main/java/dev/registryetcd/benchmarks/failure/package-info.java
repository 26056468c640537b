/**
 * The failure scenario: how soon a SIGKILLed instance is gone from every resolver.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.failure;
