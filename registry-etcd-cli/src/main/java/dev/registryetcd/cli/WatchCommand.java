package dev.registryetcd.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.registryetcd.discovery.Change;
import dev.registryetcd.discovery.ChangeListener;
import dev.registryetcd.discovery.Instance;
import dev.registryetcd.discovery.Subscription;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.internal.loop.Scheduler;
import dev.registryetcd.etcd.internal.loop.SerialLoop;
import dev.registryetcd.registry.RegistryException;
import io.etcd.jetcd.Client;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code registry-etcd watch [SERVICE]}: one line per change as it happens, starting with the
 * current instances as {@code +} lines, until Ctrl-C. One service is followed by an {@link
 * EtcdResolver} subscription; the whole prefix by a raw etcd watch ({@link PrefixWatch}).
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the current instances as '+' lines, then one line per change as it happens: '+' added, "
          + "'~' updated, '-' removed. Runs until Ctrl-C.",
      "Without SERVICE, watches every service under the prefix."
    })
final class WatchCommand implements Callable<Integer> {
  @ParentCommand RegistryEtcdCommand root;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SERVICE",
      converter = ServiceNameConverter.class,
      description = "The service to watch (default: every service under the prefix).")
  String service;

  @Option(
      names = "--json",
      description =
          "Print one JSON object per line: {event (added, updated, removed), service, network, "
              + "address, weight, tags}, values whole.")
  boolean json;

  @Option(
      names = "--max-events",
      paramLabel = "N",
      description = "Stop after printing N lines (for scripts and tests).")
  Integer maxEvents;

  @Option(
      names = "--for",
      paramLabel = "DURATION",
      converter = DurationText.Converter.class,
      description = "Stop after this long instead of waiting for Ctrl-C, e.g. 30s.")
  Duration limit;

  @Override
  public Integer call() {
    if (maxEvents != null && maxEvents < 1) {
      throw new IllegalArgumentException("--max-events must be at least 1, not " + maxEvents);
    }
    EtcdTarget target = root.target();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (StopSignal stop = new StopSignal(target.dialTimeout().multipliedBy(2))) {
      Lines lines = new Lines(out, maxEvents, stop, json);
      if (service == null) {
        watchPrefix(target, err, lines, stop);
      } else {
        watchService(target, err, lines, stop);
      }
    }
    return RegistryEtcdCommand.EXIT_OK;
  }

  private void watchService(EtcdTarget target, PrintWriter err, Lines lines, StopSignal stop) {
    SerialLoop checks = new SerialLoop("registry-etcd-watch-check", () -> {});
    try (EtcdResolver resolver = target.newResolver()) {
      AtomicBoolean started = new AtomicBoolean();
      AtomicReference<Throwable> unreachable = new AtomicReference<>();
      CountDownLatch firstAnswer = new CountDownLatch(1); // the first read, or its failure
      Outage outage =
          new Outage(
              err, target, () -> resolver.status().failingServices().contains(service), checks);
      ChangeListener listener =
          new ChangeListener() {
            @Override
            public void onChange(Change change) {
              boolean first = started.compareAndSet(false, true);
              if (first) {
                err.println(
                    "watching "
                        + target.serviceKey(service)
                        + " at "
                        + target.endpointsText()
                        + stopHint());
                err.flush();
              }
              for (Instance instance : change.added()) {
                lines.change('+', service, instance);
              }
              for (Instance instance : change.updated()) {
                lines.change('~', service, instance);
              }
              for (Instance instance : change.removed()) {
                lines.change('-', service, instance);
              }
              if (first) {
                firstAnswer.countDown(); // printed whole before --for may end the command
              }
            }

            @Override
            public void onError(Throwable error) {
              if (!started.get()) {
                // never read the service: a shell user wants the failure, not a silent wait
                unreachable.compareAndSet(null, error);
                firstAnswer.countDown();
                stop.stop();
                return;
              }
              // One member of several going away moves the watch to another within moments:
              // only an outage that outlasts the dial timeout is worth a line.
              outage.failed(error);
            }
          };
      Subscription subscription = resolver.subscribe(service, listener);
      try {
        stop.await(limit);
        if (limit != null) {
          // --for ended: the service as first read is printed whole, or, when etcd did not
          // answer, the command says why rather than exit as if all was well
          awaitFirstAnswer(firstAnswer, target, unreachable);
        }
      } finally {
        subscription.close();
      }
      Throwable failure = unreachable.get();
      if (failure != null) {
        throw failure instanceof RuntimeException runtime
            ? runtime
            : new RegistryException(
                RegistryException.Reason.UNREACHABLE, failure.getMessage(), failure);
      }
    } finally {
      checks.close(() -> {}, target.dialTimeout());
    }
  }

  /**
   * Waits one dial timeout for the first read of the service or its failure; without either, etcd
   * is unreachable.
   */
  private static void awaitFirstAnswer(
      CountDownLatch firstAnswer, EtcdTarget target, AtomicReference<Throwable> unreachable) {
    try {
      if (!firstAnswer.await(target.dialTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        unreachable.compareAndSet(
            null,
            new RegistryException(
                RegistryException.Reason.UNREACHABLE,
                "etcd did not answer within " + DurationText.format(target.dialTimeout()),
                null));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Says that etcd is lost only when the watch is still failing one dial timeout after an error,
   * then that it is back once it no longer fails. Runs on {@code checks}, one task at a time.
   */
  static final class Outage {
    private final PrintWriter err;
    private final EtcdTarget target;
    private final BooleanSupplier failing;
    private final Scheduler checks;
    private final AtomicBoolean checking = new AtomicBoolean();

    Outage(PrintWriter err, EtcdTarget target, BooleanSupplier failing, Scheduler checks) {
      this.err = err;
      this.target = target;
      this.failing = failing;
      this.checks = checks;
    }

    /** The watch reported {@code error}: check it again after the dial timeout. */
    void failed(Throwable error) {
      if (!checking.compareAndSet(false, true)) {
        return; // already being checked
      }
      checks.schedule(
          () -> {
            if (!failing.getAsBoolean()) {
              checking.set(false);
              return;
            }
            err.println(
                "registry-etcd: lost etcd ("
                    + DurationText.humanize(Failures.describe(error, target))
                    + "); changes follow once it is back");
            err.flush();
            awaitBack();
          },
          target.dialTimeout());
    }

    private void awaitBack() {
      checks.schedule(
          () -> {
            if (failing.getAsBoolean()) {
              awaitBack();
              return;
            }
            err.println("registry-etcd: etcd answers again; following changes");
            err.flush();
            checking.set(false);
          },
          Duration.ofMillis(500));
    }
  }

  private void watchPrefix(EtcdTarget target, PrintWriter err, Lines lines, StopSignal stop) {
    try (Client client = target.newClient()) {
      PrefixWatch watch = PrefixWatch.start(client, target, lines, err);
      try {
        err.println(
            "watching every service under "
                + target.rootKey()
                + " at "
                + target.endpointsText()
                + stopHint());
        err.flush();
        stop.await(limit);
      } finally {
        watch.close();
      }
    }
  }

  private String stopHint() {
    return limit == null && maxEvents == null ? "; Ctrl-C to stop" : "";
  }

  /** Hears one change of one instance; {@code sign} is {@code +}, {@code ~} or {@code -}. */
  interface ChangeSink {
    void change(char sign, String service, Instance instance);
  }

  /**
   * Prints change lines, as text or JSON, at most {@code max}, then stops the command. Thread-safe.
   */
  static final class Lines implements ChangeSink {
    private final PrintWriter out;
    private final Integer max;
    private final StopSignal stop;
    private final boolean json;
    private final AtomicInteger printed = new AtomicInteger();

    Lines(PrintWriter out, Integer max, StopSignal stop, boolean json) {
      this.out = out;
      this.max = max;
      this.stop = stop;
      this.json = json;
    }

    @Override
    public void change(char sign, String service, Instance instance) {
      print(json ? jsonLine(sign, service, instance) : InstanceText.line(sign, service, instance));
    }

    private static String jsonLine(char sign, String service, Instance instance) {
      ObjectNode node = InstanceJson.JSON.createObjectNode();
      node.put("event", sign == '+' ? "added" : sign == '~' ? "updated" : "removed");
      node.put("service", service);
      return InstanceJson.line(InstanceJson.instance(node, instance));
    }

    private synchronized void print(String line) {
      int number = printed.incrementAndGet();
      if (max != null && number > max) {
        return;
      }
      out.println(line);
      out.flush();
      if (max != null && number == max) {
        stop.stop();
      }
    }
  }
}
