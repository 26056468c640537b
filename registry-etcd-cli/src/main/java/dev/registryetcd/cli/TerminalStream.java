package dev.registryetcd.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The process's stdout or stderr with no control character left raw, whoever writes: a line the
 * library or jetcd logs may quote a key or value from etcd. Whole strings a logger prints ({@link
 * #print(String)}, what slf4j-simple uses) are escaped as {@link TerminalText#escape} does,
 * newlines included, so a logged key cannot forge a line (and their ISO-8601 durations written as
 * {@code 5s}); bytes written otherwise (picocli's writers, java.util.logging) keep their newlines
 * and lose every other C0 control, DEL and C1 control (UTF-8 {@code C2 80}..{@code C2 9F}) to a
 * backslash-xNN or backslash-u00NN escape. The command's own output is escaped where it is made;
 * this is the net under it.
 *
 * <p>Thread-safe as {@link PrintStream} is.
 */
final class TerminalStream extends PrintStream {

  private TerminalStream(OutputStream raw, Charset charset) {
    super(new ControlFilter(new BufferedOutputStream(raw, 8192)), true, charset);
  }

  /** Replaces {@code System.out} and {@code System.err} with escaping streams. */
  static void install() {
    Charset charset = StandardCharsets.UTF_8;
    System.setOut(new TerminalStream(new FileOutputStream(FileDescriptor.out), charset));
    System.setErr(new TerminalStream(new FileOutputStream(FileDescriptor.err), charset));
  }

  @Override
  public void print(String text) {
    super.print(
        text == null ? null : TerminalText.escape(OptionNames.of(DurationText.humanize(text))));
  }

  @Override
  public void print(Object object) {
    print(String.valueOf(object));
  }

  /** Escapes control bytes on their way out, keeping {@code \n}. Owned by its print stream. */
  private static final class ControlFilter extends FilterOutputStream {
    private boolean afterC2;

    ControlFilter(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      int octet = b & 0xff;
      if (afterC2) {
        afterC2 = false;
        if (octet >= 0x80 && octet <= 0x9f) {
          ascii(String.format("\\u%04x", octet));
          return;
        }
        out.write(0xc2);
      }
      if (octet == 0xc2) {
        afterC2 = true;
      } else if ((octet < 0x20 && octet != '\n') || octet == 0x7f) {
        ascii(String.format("\\x%02x", octet));
      } else {
        out.write(octet);
      }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      for (int i = offset; i < offset + length; i++) {
        write(bytes[i]);
      }
    }

    @Override
    public void close() throws IOException {
      if (afterC2) {
        afterC2 = false;
        out.write(0xc2);
      }
      super.close();
    }

    private void ascii(String text) throws IOException {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
    }
  }
}
