/**
 * Spring Cloud's service registry on an {@link dev.registryetcd.etcd.EtcdRegistry}, and the
 * registration of this application once its web server takes requests.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.spring.registration;
