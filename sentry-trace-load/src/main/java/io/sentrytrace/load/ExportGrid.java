package io.sentrytrace.load;

import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.Sentry;
import io.sentrytrace.Span;
import io.sentrytrace.SpanStatus;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Export at a distance: for each round trip × offered rate × configuration, a {@link StandInSentry}
 * that far away, a few producer threads finishing real sampled transactions (three child spans
 * each) at a steady rate for a few seconds, then {@code close()}; what the stand-in accepted
 * (distinct event ids) against what was finished. The configurations are ours, a {@code Tracer}
 * with the default {@link EnvelopeExporter} as built by {@code EnvelopeExporter.builder(dsn).build()},
 * and sentry-java 8.62 as {@link SentryJavaSetup#init} sets it up, with its client reports (its
 * default), which say why it discarded what it did; cells of the two alternate.
 *
 * <pre>{@code
 * java -jar sentry-trace-load/target/sentry-trace-load.jar grid --delays 0,25,150 --rates 100,1000,5000 --seconds 5
 * }</pre>
 */
final class ExportGrid {
  static final String SENTRY_TRACE = "sentry-trace";
  static final String SENTRY_JAVA = "sentry-java";
  /** Connections the stand-in serves at once: more than any sane client keeps. */
  static final int STAND_IN_CONNECTIONS = 256;

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  record Options(List<Integer> delaysMillis, List<Integer> rates, double seconds, List<String> configs,
      int producers, double warmupSeconds) {
    Options {
      for (String c : configs) {
        if (!c.equals(SENTRY_TRACE) && !c.equals(SENTRY_JAVA)) {
          throw new IllegalArgumentException("unknown config " + c + " in --configs (" + SENTRY_TRACE + ", " + SENTRY_JAVA + ")");
        }
      }
      if (!(seconds > 0)) throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
    }

    static Options full() {
      return new Options(List.of(0, 25, 150), List.of(100, 1000, 5000), 5, List.of(SENTRY_TRACE, SENTRY_JAVA), 4, 1);
    }
  }

  /** Our exporter's four counters. */
  record Counters(long sent, long dropped, long failed, long rateLimited) {
    long total() {
      return sent + dropped + failed + rateLimited;
    }

    static Counters of(EnvelopeExporter e) {
      return new Counters(e.sentCount(), e.droppedCount(), e.failedCount(), e.rateLimitedCount());
    }
  }

  /** One cell; {@code counters} is null for sentry-java. */
  record Cell(String config, int delayMillis, int rate, long offered, long finished, long delivered, long requests,
      long connections, long peakOpen, Counters counters, double cpuSeconds, double standInCpuSeconds,
      double closeSeconds, long producerErrors, String firstProducerError, Map<String, Long> clientReports) {
    /** Distinct envelopes accepted, as a share of the transactions finished. */
    double deliveredPercent() {
      return finished == 0 ? 0 : 100.0 * delivered / finished;
    }

    /** CPU of the process minus the stand-in's, per transaction finished. */
    double clientCpuMicrosPerTransaction() {
      return finished == 0 ? 0 : (cpuSeconds - standInCpuSeconds) * 1e6 / finished;
    }

    String note() {
      List<String> notes = new ArrayList<>();
      if (finished < offered * 0.99) notes.add("producers fell behind (finishing took longer than the schedule allows)");
      if (producerErrors > 0) notes.add(producerErrors + " producer errors, first: " + firstProducerError);
      if (config.equals(SENTRY_JAVA) && deliveredPercent() < 10) {
        notes.add("sentry-java's single sender (a new connection per envelope) drops nearly everything");
      }
      return String.join("; ", notes);
    }
  }

  private final Options options;
  private final PrintStream out;

  ExportGrid(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  List<Cell> run() throws Exception {
    if (options.warmupSeconds() > 0) {
      for (String config : options.configs()) cell(config, 0, 200, options.warmupSeconds());
      out.printf(Locale.ROOT, "warm-up: %.1f s at 200/s per config, not shown%n", options.warmupSeconds());
    }
    List<Cell> cells = new ArrayList<>();
    for (int delay : options.delaysMillis()) {
      for (int rate : options.rates()) {
        for (String config : options.configs()) {
          Cell c = cell(config, delay, rate, options.seconds());
          cells.add(c);
          out.printf(Locale.ROOT, "  %-12s %4d ms %,6d/s: delivered %,d of %,d (%.1f%%), %,d connections, close %.1f s%n",
              config, delay, rate, c.delivered(), c.finished(), c.deliveredPercent(), c.connections(), c.closeSeconds());
        }
      }
    }
    return cells;
  }

  /** One cell: a stand-in {@code delayMillis} away, {@code rate} transactions a second for {@code seconds}, then close. */
  Cell cell(String config, int delayMillis, int rate, double seconds) throws Exception {
    Duration length = Duration.ofNanos((long) (seconds * 1e9));
    long expected = (long) Math.ceil(rate * seconds);
    StandInSentry sentry = new StandInSentry(Duration.ofMillis(delayMillis), STAND_IN_CONNECTIONS,
        (int) Math.min(4_000_000, expected + 1000));
    try {
      long cpu0 = OS.getProcessCpuTime();
      SteadyLoad load;
      Counters counters = null;
      long closeNanos;
      if (config.equals(SENTRY_TRACE)) {
        EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).build();
        Tracer tracer = Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(1.0).release("shop@1.4.0")
            .environment("production").exporter(exporter).build();
        try {
          load = SteadyLoad.start("grid-producer", options.producers(), rate, length, ours(tracer));
          awaitProducers(load, length);
        } finally {
          long c0 = System.nanoTime();
          tracer.close();
          closeNanos = System.nanoTime() - c0;
        }
        counters = Counters.of(exporter);
      } else {
        SentryJavaSetup.init(sentry.dsn(), true);
        try {
          load = SteadyLoad.start("grid-producer", options.producers(), rate, length, sentryJava());
          awaitProducers(load, length);
        } finally {
          long c0 = System.nanoTime();
          Sentry.close();
          closeNanos = System.nanoTime() - c0;
        }
      }
      sentry.close(); // its connection threads end and add their CPU: the counts are final
      long cpu = OS.getProcessCpuTime() - cpu0;
      Throwable firstError = load.firstError.get();
      return new Cell(config, delayMillis, rate, load.offered, load.finished.get(), sentry.distinctAccepted.get(),
          sentry.requests.get(), sentry.connectionsOpened.get(), sentry.peakOpen.get(), counters, cpu / 1e9,
          sentry.cpuNanos.get() / 1e9, closeNanos / 1e9, load.errors.get(), firstError == null ? null : firstError.toString(),
          sentry.clientReports());
    } finally {
      sentry.close();
    }
  }

  private static void awaitProducers(SteadyLoad load, Duration length) throws InterruptedException {
    if (!load.join(length.plusSeconds(30))) throw new IllegalStateException("producers still running 30 s after their window");
  }

  /** A request's transaction as our tracer makes it: server span, an HTTP call, a query, a cache read. */
  static SteadyLoad.Transaction ours(Tracer tracer) {
    return n -> {
      Span server = tracer.startTransaction("GET /checkout", "http.server");
      server.setData("http.request.method", "GET").setData("url", "http://127.0.0.1:8080/checkout");
      Span client = server.startChild("http.client", "POST http://127.0.0.1:8081/reserve");
      client.setData("http.request.method", "POST").setData("url", "http://127.0.0.1:8081/reserve")
          .setData("http.response.status_code", 200).setStatus(SpanStatus.OK);
      client.finish();
      server.startChild("db", "SELECT stock FROM items WHERE sku = ?").setData("db.system", "postgresql").finish();
      server.startChild("cache.get", "stock:" + (n % 1000)).finish();
      server.setData("http.response.status_code", 200).setStatus(SpanStatus.OK);
      server.finish();
    };
  }

  /** The same transaction through sentry-java's API. */
  static SteadyLoad.Transaction sentryJava() {
    return n -> {
      ITransaction server = Sentry.startTransaction("GET /checkout", "http.server");
      server.setData("http.request.method", "GET");
      server.setData("url", "http://127.0.0.1:8080/checkout");
      ISpan client = server.startChild("http.client", "POST http://127.0.0.1:8081/reserve");
      client.setData("http.request.method", "POST");
      client.setData("url", "http://127.0.0.1:8081/reserve");
      client.setData("http.response.status_code", 200);
      client.finish(io.sentry.SpanStatus.OK);
      ISpan db = server.startChild("db", "SELECT stock FROM items WHERE sku = ?");
      db.setData("db.system", "postgresql");
      db.finish();
      server.startChild("cache.get", "stock:" + (n % 1000)).finish();
      server.setData("http.response.status_code", 200);
      server.finish(io.sentry.SpanStatus.OK);
    };
  }

  /** Transactions discarded by reason, as the client reports that arrived say; "-" when none did. */
  static String discards(Map<String, Long> clientReports) {
    List<String> parts = new ArrayList<>();
    clientReports.forEach((key, n) -> {
      if (key.endsWith("/transaction")) parts.add(String.format(Locale.ROOT, "%s %,d", key.substring(0, key.indexOf('/')), n));
    });
    return parts.isEmpty() ? "-" : "reported: " + String.join(", ", parts);
  }

  /** The table, as markdown. */
  static void print(List<Cell> cells, Options options, PrintStream out) {
    out.println();
    out.printf(Locale.ROOT, "%.1f s per cell at a steady rate from %d producer threads, then close(); delivered ="
        + " distinct event ids the stand-in answered 200, as a share of the transactions finished%n",
        options.seconds(), options.producers());
    out.println();
    out.println("| config | round trip | offered/s | finished | delivered | delivered % | connections opened (peak open) "
        + "| sent / dropped / failed / rate-limited (sentry-java: its client reports) | CPU s (of it stand-in) | client CPU µs/tx | close s | note |");
    out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    for (Cell c : cells) {
      Counters k = c.counters();
      out.printf(Locale.ROOT, "| %s | %d ms | %,d | %,d | %,d | %.1f%% | %,d (%d) | %s | %.2f (%.2f) | %.0f | %.1f | %s |%n",
          c.config(), c.delayMillis(), c.rate(), c.finished(), c.delivered(), c.deliveredPercent(), c.connections(),
          c.peakOpen(), k != null ? String.format(Locale.ROOT, "%,d / %,d / %,d / %,d", k.sent(), k.dropped(),
              k.failed(), k.rateLimited()) : discards(c.clientReports()),
          c.cpuSeconds(), c.standInCpuSeconds(), c.clientCpuMicrosPerTransaction(), c.closeSeconds(), c.note());
    }
  }
}
