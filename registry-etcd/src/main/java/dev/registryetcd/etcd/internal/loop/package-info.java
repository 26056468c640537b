/**
 * The thread a component owns its state on, the scheduler tests drive by hand, the timer that keeps
 * at most one task pending, and the backoff between retries.
 *
 * <p>Internal: no compatibility promise; anything here may change in any release.
 */
package dev.registryetcd.etcd.internal.loop;
