package dev.registryetcd.etcd.internal;

/** The key layout shared with the Go extension: {@code {prefix}/{service}/{address}}. */
public final class ServiceKeys {
  private ServiceKeys() {}

  /**
   * The range a resolver reads for {@code service}. The trailing slash keeps {@code echo} from
   * matching {@code echo-b}.
   */
  public static String servicePrefix(String prefix, String service) {
    return prefix + "/" + service + "/";
  }

  public static String instanceKey(String prefix, String service, String address) {
    return servicePrefix(prefix, service) + address;
  }
}
