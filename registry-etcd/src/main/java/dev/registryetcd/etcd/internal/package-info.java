/**
 * What the registry and the resolver share: how to reach etcd and build the jetcd client, bounded
 * waits on its calls, the key layout and the address rules of the Go extension.
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.etcd.internal;
