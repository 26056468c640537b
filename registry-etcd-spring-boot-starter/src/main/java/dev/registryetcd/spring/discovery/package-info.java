/**
 * Spring Cloud's {@code DiscoveryClient} and {@code ReactiveDiscoveryClient} answered from an
 * {@link dev.registryetcd.etcd.EtcdResolver}'s live cache, and the instance they return.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.discovery;
