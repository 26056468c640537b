package dev.registryetcd.etcd;

import java.util.Objects;

/**
 * A setting the registry, resolver or client cannot use, refused before anything talks to etcd.
 * {@link #setting()} names it as the Go extension's parameters do ({@code endpoints}, {@code
 * caFile}, {@code certFile}, {@code keyFile}), so tools that take settings from elsewhere (a
 * configuration file, Spring properties, command-line flags) can name their own key for it; the
 * message says what is wrong and how to fix it.
 */
public final class InvalidSettingException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  public InvalidSettingException(String setting, String message) {
    this(setting, message, null);
  }

  public InvalidSettingException(String setting, String message, Throwable cause) {
    super(message, cause);
    this.setting = Objects.requireNonNull(setting, "setting");
  }

  /**
   * The setting refused: {@code endpoints}, {@code caFile}, {@code certFile} or {@code keyFile}.
   */
  public String setting() {
    return setting;
  }
}
