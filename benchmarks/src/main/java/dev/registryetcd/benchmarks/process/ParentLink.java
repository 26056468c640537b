package dev.registryetcd.benchmarks.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The child's side of {@link ChildJvm}: answers commands read from stdin, and sends lines to
 * stdout. {@code CLOCK} is built in: it answers {@code CLOCK <System.nanoTime()>}, for {@link
 * SharedClock}.
 *
 * <p>Commands run one at a time on the thread that calls {@link #serve()}; {@link #send} may be
 * called from any thread.
 */
public final class ParentLink {
  private final PrintStream out = System.out;
  private final Map<String, Consumer<String[]>> commands = new HashMap<>();

  public ParentLink() {
    on("CLOCK", words -> send("CLOCK " + System.nanoTime()));
  }

  /** Runs {@code command} with the line's words when a line starts with {@code name}. */
  public ParentLink on(String name, Consumer<String[]> command) {
    commands.put(name, command);
    return this;
  }

  /** Writes one line to the parent. */
  public void send(String line) {
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }

  /**
   * Answers commands until stdin ends (the parent closed it or died) or {@code EXIT} arrives. A
   * command that throws is reported as {@code ERROR <message>} and the loop goes on.
   */
  public void serve() throws IOException {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("EXIT"); line = in.readLine()) {
      String[] words = line.trim().split(" ");
      Consumer<String[]> command = commands.get(words[0]);
      if (command == null) {
        send("ERROR unknown command " + line);
        continue;
      }
      try {
        command.accept(words);
      } catch (RuntimeException e) {
        e.printStackTrace();
        send("ERROR " + e);
      }
    }
  }
}
