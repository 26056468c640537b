package dev.registryetcd.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.Version;
import java.security.CodeSource;

/** The jackson-core on the class path, compared with the oldest the codec supports. */
final class JacksonVersion {

  private JacksonVersion() {}

  /**
   * Returns {@code null} when the jackson-core found is {@code required} or newer, else a message
   * naming the version found, where it came from, and the version required. Never throws.
   */
  static String problem(String required) {
    String found;
    Version version;
    try {
      version = com.fasterxml.jackson.core.json.PackageVersion.VERSION;
      found = version.toString();
    } catch (LinkageError e) {
      version = null;
      found = "an unknown version";
    }
    if (version != null && !version.isUnknownVersion() && compare(version, required) >= 0) {
      return null;
    }
    return "registry-etcd needs com.fasterxml.jackson.core:jackson-core "
        + required
        + " or newer, but found "
        + found
        + location()
        + ". Import dev.registryetcd:registry-etcd-bom, or manage jackson-core (or jackson-bom) at "
        + required
        + " or newer.";
  }

  static int compare(Version version, String other) {
    String[] parts = other.split("\\.");
    int[] found = {version.getMajorVersion(), version.getMinorVersion(), version.getPatchLevel()};
    for (int i = 0; i < found.length; i++) {
      int wanted = i < parts.length ? Integer.parseInt(parts[i]) : 0;
      if (found[i] != wanted) {
        return Integer.compare(found[i], wanted);
      }
    }
    return 0;
  }

  private static String location() {
    try {
      CodeSource source = JsonFactory.class.getProtectionDomain().getCodeSource();
      return source == null || source.getLocation() == null
          ? ""
          : " (" + source.getLocation() + ")";
    } catch (RuntimeException e) {
      return "";
    }
  }
}
