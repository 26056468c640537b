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

  /**
   * The service of an instance key under {@code prefix}, or {@code null} when {@code key} is not
   * {@code {prefix}/{service}/...}. Whatever follows the service's slash, nothing included, makes
   * an instance key: Go's resolver reads every key of the range {@code {prefix}/{service}/}, so
   * {@code {prefix}/echo/} is an instance of {@code echo} for it, and so here.
   */
  public static String serviceOf(String prefix, String key) {
    int start = prefix.length() + 1;
    if (!key.startsWith(prefix) || key.length() <= start || key.charAt(prefix.length()) != '/') {
      return null;
    }
    int end = key.indexOf('/', start);
    return end <= start ? null : key.substring(start, end);
  }
}
