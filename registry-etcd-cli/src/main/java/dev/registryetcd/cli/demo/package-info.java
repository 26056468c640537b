/**
 * The {@code demo} command: its own etcd, gRPC Echo servers with weights in child JVMs, a weighted
 * client, and the narration of what happens.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.cli.demo;
