/**
 * The example Spring Boot service that registers itself in etcd as {@code echo}.
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.examples.spring.echo;
