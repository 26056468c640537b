/**
 * The parts of {@link dev.registryetcd.etcd.EtcdRegistry}: what it keeps registered, its lease and
 * the recovery of a lost one, its writes, the watch on its own keys and the check that puts back
 * what is missing. Each owns its state on the registry's loop thread.
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.etcd.internal.registry;
