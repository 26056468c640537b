package dev.registryetcd.cli;

import picocli.CommandLine;

/** Accepts a service name as the registry format allows it: non-empty, without {@code '/'}. */
final class ServiceNameConverter implements CommandLine.ITypeConverter<String> {
  @Override
  public String convert(String value) {
    if (value.isEmpty()) {
      throw new CommandLine.TypeConversionException("a service name must not be empty");
    }
    if (value.indexOf('/') >= 0) {
      throw new CommandLine.TypeConversionException(
          "a service name must not contain '/' (it separates the parts "
              + "of an etcd key): "
              + value);
    }
    return value;
  }
}
