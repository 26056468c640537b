/**
 * The propagation scenario: from register or deregister to a subscriber in another JVM.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.propagation;
