/**
 * The scale scenario: many registrations at steady state, requests counted, and cold starts.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.scale;
