package dev.registryetcd.spring.autoconfigure;

import dev.registryetcd.registry.RegistryException;
import dev.registryetcd.spring.registration.EtcdRegistrationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports that this application could not register in etcd at start-up (fail-fast): the instance,
 * the endpoints and the cause, and what to do, instead of stack traces.
 */
class EtcdRegistrationFailureAnalyzer extends AbstractFailureAnalyzer<EtcdRegistrationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, EtcdRegistrationException cause) {
    RegistryException failure = cause.getCause();
    String endpoints = String.join(", ", cause.endpoints());
    String check =
        switch (failure.reason()) {
          case UNREACHABLE ->
              "Start etcd, or check that registry.etcd.endpoints ("
                  + endpoints
                  + ") names running members this machine can reach (and registry.etcd.tls.* if"
                  + " they speak TLS).";
          case AUTHENTICATION ->
              "Check the etcd user and password (registry.etcd.username, registry.etcd.password).";
          case PERMISSION ->
              "Give the etcd user (registry.etcd.username) read and write permission on"
                  + " registry.etcd.prefix.";
          case TLS ->
              "Check registry.etcd.tls.* against etcd's certificates: CA, client certificate and"
                  + " key, and https:// endpoints.";
          default -> "Check etcd at " + endpoints + " and the registry.etcd.* properties.";
        };
    return new FailureAnalysis(
        "registry-etcd could not register "
            + cause.instanceId()
            + " in etcd at "
            + endpoints
            + ".\n\nCause: "
            + failure.getMessage(),
        check
            + "\nOr set registry.etcd.fail-fast=false to start without etcd: the application then"
            + " reports its etcd health DOWN and registers as soon as etcd answers.",
        cause);
  }
}
