/**
 * The Go extension's examples in Java: a simple server, a server with a retry configuration, and a
 * client calling Echo every second.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.examples;
