/**
 * The churn scenario: instances flap at a fixed rate while resolvers follow every service.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.churn;
