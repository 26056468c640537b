/**
 * Real etcd servers and clusters from the {@code etcd} binary, for tests and demos: {@link
 * dev.registryetcd.testkit.EtcdCluster}, its {@link dev.registryetcd.testkit.EtcdMember}s and their
 * faults, {@link dev.registryetcd.testkit.EtcdTls}, and the {@link
 * dev.registryetcd.testkit.TcpProxy} network faults go through. No JUnit: the extension is {@code
 * dev.registryetcd.testkit.junit.EtcdExtension}, in {@code registry-etcd-testkit-junit}.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.testkit;
