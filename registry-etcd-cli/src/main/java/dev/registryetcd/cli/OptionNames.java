package dev.registryetcd.cli;

/**
 * The library's messages in this command's words: the library names its own settings ({@code
 * withTLSOpt: caFile ...}), a shell user knows {@code --cacert}. Stateless.
 */
final class OptionNames {
  private static final String[][] WORDS = {
    {"withTLSOpt's certFile and keyFile", "--cert and --key"},
    {"withTLSOpt's files", "--cert, --key and --cacert"},
    {"withTLSOpt's caFile", "--cacert"},
    {"drop withTLSOpt", "drop --cacert, --cert and --key"},
    {"withTLSOpt: ", ""},
    {"withTLSOpt", "--cacert"},
    {"caFile", "--cacert"},
    {"certFile", "--cert"},
    {"keyFile", "--key"},
    {"check the user name and password", "check --user and --password (or ETCD_PASSWORD)"},
  };

  private OptionNames() {}

  /** {@code message} with every library setting it names replaced by the option that sets it. */
  static String of(String message) {
    if (message == null) {
      return null;
    }
    String text = message;
    for (String[] word : WORDS) {
      text = text.replace(word[0], word[1]);
    }
    return text;
  }
}
