/**
 * {@link dev.registryetcd.demo.echo.Echo}, the smallest gRPC service, for the CLI's demo, the
 * examples and tests; not part of the library.
 *
 * <p>Parameters and return values are non-null unless a method says otherwise.
 */
package dev.registryetcd.demo.echo;
