package dev.registryetcd.spring.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a refused {@code registry.etcd.*} property by name instead of a bean-creation stack
 * trace.
 */
class InvalidEtcdPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidEtcdPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidEtcdPropertyException cause) {
    return new FailureAnalysis(
        "Invalid value '"
            + cause.value()
            + "' for property '"
            + cause.property()
            + "': "
            + cause.reason(),
        "Change '"
            + cause.property()
            + "' in your application's configuration (application.properties, "
            + "application.yaml, an environment variable or a command-line argument) to an allowed value, "
            + "or remove it to use the default.",
        cause);
  }
}
