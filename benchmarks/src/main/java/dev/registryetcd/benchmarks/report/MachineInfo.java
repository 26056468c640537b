package dev.registryetcd.benchmarks.report;

import dev.registryetcd.testkit.EtcdBinary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine a run measured on, as {@code nproc}, {@code free -h}, {@code /proc/cpuinfo}, {@code
 * /etc/os-release}, {@code java -version} and {@code etcd --version} tell it.
 *
 * @param date when the run started, UTC
 * @param nproc processors available
 * @param cpu the CPU model
 * @param memory {@code free -h}'s table
 * @param os the distribution and kernel
 * @param java {@code java -version}'s output
 * @param etcd {@code etcd --version}'s first line
 * @param loadAverage {@code /proc/loadavg} when the run started
 * @param otherBuilds other Maven or Surefire JVMs running when the run started
 */
public record MachineInfo(
    String date,
    int nproc,
    String cpu,
    String memory,
    String os,
    String java,
    String etcd,
    String loadAverage,
    List<String> otherBuilds) {

  /** Looks at this machine now; a fact that cannot be read is {@code "unknown"}. */
  public static MachineInfo collect() {
    String date =
        ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    String cpu =
        read("/proc/cpuinfo")
            .lines()
            .filter(line -> line.startsWith("model name"))
            .map(line -> line.substring(line.indexOf(':') + 1).trim())
            .findFirst()
            .orElse("unknown");
    String os =
        read("/etc/os-release")
                .lines()
                .filter(line -> line.startsWith("PRETTY_NAME="))
                .map(line -> line.substring("PRETTY_NAME=".length()).replace("\"", ""))
                .findFirst()
                .orElse(System.getProperty("os.name"))
            + ", kernel "
            + System.getProperty("os.version");
    String java =
        run(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version").trim();
    String etcd;
    try {
      etcd = run(EtcdBinary.locate().toString(), "--version").lines().findFirst().orElse("unknown");
    } catch (IllegalStateException e) {
      etcd = "unknown (" + e.getMessage() + ")";
    }
    String nproc = run("nproc").trim();
    int processors =
        nproc.matches("\\d+")
            ? Integer.parseInt(nproc)
            : Runtime.getRuntime().availableProcessors();
    return new MachineInfo(
        date,
        processors,
        cpu,
        run("free", "-h").stripTrailing(),
        os,
        java,
        etcd,
        currentLoadAverage(),
        currentOtherBuilds());
  }

  /** The first three fields of {@code /proc/loadavg}. */
  public static String currentLoadAverage() {
    String[] fields = read("/proc/loadavg").trim().split("\\s+");
    return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
  }

  /** Other Maven builds and Surefire test JVMs running now (they compete for the CPUs). */
  public static List<String> currentOtherBuilds() {
    long self = ProcessHandle.current().pid();
    List<String> found = new ArrayList<>();
    ProcessHandle.allProcesses()
        .filter(p -> p.pid() != self)
        .forEach(
            p ->
                p.info()
                    .commandLine()
                    .ifPresent(
                        line -> {
                          if (line.contains("plexus-classworlds") || line.contains("surefire")) {
                            found.add(
                                p.pid()
                                    + " "
                                    + (line.length() > 120
                                        ? line.substring(0, 120) + "..."
                                        : line));
                          }
                        }));
    return found;
  }

  /** As Markdown lines for the docs. */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("- date: ").append(date).append('\n');
    out.append("- `nproc`: ").append(nproc).append('\n');
    out.append("- CPU: ").append(cpu).append('\n');
    out.append("- OS: ").append(os).append('\n');
    out.append("- etcd: ").append(etcd).append(" (one member, started by the test kit)\n");
    out.append("- load average at start: ")
        .append(loadAverage)
        .append(
            otherBuilds.isEmpty()
                ? "; no other build running"
                : "; other builds running: " + otherBuilds.size())
        .append('\n');
    out.append("- `free -h`:\n\n```\n").append(memory).append("\n```\n");
    out.append("- `java -version`:\n\n```\n").append(java).append("\n```\n");
    return out.toString();
  }

  /** As a map for JSON. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("date", date);
    map.put("nproc", nproc);
    map.put("cpu", cpu);
    map.put("memory", memory);
    map.put("os", os);
    map.put("java", java);
    map.put("etcd", etcd);
    map.put("loadAverage", loadAverage);
    map.put("otherBuilds", otherBuilds);
    return map;
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      return output;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }
}
