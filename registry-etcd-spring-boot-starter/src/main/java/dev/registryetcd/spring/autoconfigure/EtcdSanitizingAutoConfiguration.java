package dev.registryetcd.spring.autoconfigure;

import java.util.Locale;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Masks {@code registry.etcd.password} in the {@code env} and {@code configprops} endpoints, also
 * with {@code management.endpoint.*.show-values=always}. On even when {@code registry.etcd.enabled}
 * is false: the password may be set all the same.
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
public class EtcdSanitizingAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = "etcdPasswordSanitizer")
  public SanitizingFunction etcdPasswordSanitizer() {
    return SanitizingFunction.of(EtcdSanitizingAutoConfiguration::maskPassword);
  }

  private static SanitizableData maskPassword(SanitizableData data) {
    return isPassword(data.getKey()) ? data.withSanitizedValue() : data;
  }

  /**
   * {@code registry.etcd.password} however it is spelled: relaxed names and environment variables.
   */
  static boolean isPassword(String key) {
    if (key == null) {
      return false;
    }
    String canonical = key.toLowerCase(Locale.ROOT).replace('_', '.').replace("-", "");
    return canonical.equals("registry.etcd.password")
        || canonical.endsWith(".registry.etcd.password");
  }
}
