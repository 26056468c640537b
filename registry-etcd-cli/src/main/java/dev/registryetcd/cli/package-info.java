/**
 * The {@code registry-etcd} command: {@code list}, {@code get}, {@code watch} and {@code register}
 * against an etcd, and what they share (targets, tables, failures and exit codes).
 *
 * <p>An application, not an API: no compatibility promise.
 */
package dev.registryetcd.cli;
