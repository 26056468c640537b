package dev.registryetcd.spring.registration;

import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;

/**
 * The web server's port through Boot 3's {@code WebServerApplicationContext}; loaded only when
 * {@link #CONTEXT_CLASS} is present, as an application without a web server lacks it.
 */
final class WebServerPort {
  static final String CONTEXT_CLASS =
      "org.springframework.boot.web.context.WebServerApplicationContext";

  private WebServerPort() {}

  /** The port, or null when {@code context} runs no web server (yet). */
  static Integer of(ApplicationContext context) {
    if (context instanceof WebServerApplicationContext web && web.getWebServer() != null) {
      return web.getWebServer().getPort();
    }
    return null;
  }
}
