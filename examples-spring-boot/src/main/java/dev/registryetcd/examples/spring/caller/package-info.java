/**
 * The example Spring Boot application that calls {@code echo} through {@code http://echo} (a
 * {@code @LoadBalanced} {@code RestClient}), found in etcd.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.examples.spring.caller;
