package dev.registryetcd.etcd.internal.watch;

/**
 * One key as a read or a watch event saw it; jetcd-free so that tests can make one.
 *
 * @param key the whole key, UTF-8 decoded
 * @param value the value's bytes (empty for a keys-only read or a deletion); not copied, never
 *     changed
 * @param modRevision the revision that last changed the key (for a deletion: the deleting one)
 * @param lease the key's lease, 0 for none
 */
public record Kv(String key, byte[] value, long modRevision, long lease) {}
