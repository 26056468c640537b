/**
 * The read, watch from the next revision, read again cycle that every part following etcd keys
 * shares ({@link dev.registryetcd.etcd.internal.watch.RangeWatch}), and the small seams it runs on:
 * the thread that owns its state ({@link dev.registryetcd.etcd.internal.loop.Scheduler}) and etcd
 * itself ({@link dev.registryetcd.etcd.internal.watch.RangeSource}), so tests can drive both by
 * hand.
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.etcd.internal.watch;
