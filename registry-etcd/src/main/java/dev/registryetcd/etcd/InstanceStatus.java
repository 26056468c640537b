package dev.registryetcd.etcd;

/**
 * Whether a registration of an {@link EtcdRegistry} is offered to callers. Go and Java resolvers
 * only see keys, so out of service means no key: the registry keeps holding the registration but
 * deletes its key, and neither recovery nor its checks put it back until it is {@link #UP} again.
 */
public enum InstanceStatus {
  /** In etcd (or put back as soon as etcd answers): callers find it. */
  UP,
  /** Held by the registry, but its key is deleted: callers do not find it. */
  OUT_OF_SERVICE
}
