/**
 * The JUnit 5 extension on top of the test kit: {@link
 * dev.registryetcd.testkit.junit.EtcdExtension} starts a real etcd server or cluster for a test
 * class or for each test, and keeps the members' logs of a failed test.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.testkit.junit;
