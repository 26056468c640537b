/**
 * The registry and resolver on etcd, wire-compatible with the Kitex etcd extension: {@link
 * dev.registryetcd.etcd.EtcdRegistry}, {@link dev.registryetcd.etcd.EtcdResolver}, their {@link
 * dev.registryetcd.etcd.Option}s, and their status records.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.etcd;
