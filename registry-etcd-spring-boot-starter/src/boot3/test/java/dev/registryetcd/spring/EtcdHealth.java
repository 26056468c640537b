package dev.registryetcd.spring;

import java.util.Map;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.ApplicationContext;

/**
 * The {@code etcd} health indicator's answer, read through Boot 3's health API, for the tests both
 * Boot lines share.
 */
record EtcdHealth(String status, Map<String, Object> details) {
  static EtcdHealth of(ApplicationContext app) {
    Health health = app.getBean("etcdHealthIndicator", HealthIndicator.class).health();
    return new EtcdHealth(health.getStatus().getCode(), health.getDetails());
  }
}
