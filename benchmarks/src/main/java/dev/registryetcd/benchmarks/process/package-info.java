/**
 * Child JVMs for the scenarios, their link to the parent, and the clock they share.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.benchmarks.process;
