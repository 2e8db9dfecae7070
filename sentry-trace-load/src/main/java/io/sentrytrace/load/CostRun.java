package io.sentrytrace.load;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The cost of a traced request: the same loopback set-up driven by the same closed-loop load in
 * three configurations, in alternating rounds (the order rotates every round), so that the noise of
 * a shared machine falls on all alike. Per round: a second of unmeasured load after the switch, then
 * the measured window; CPU and allocation are counted from the window's start until the setup has
 * flushed its exports (what it queued in the window is part of its cost).
 */
final class CostRun {
  /**
   * The sample rate both tracers run at: {@code -Dload.sampleRate} (default 1.0). Below the rate
   * at which exporters drop, it compares the request path and the export of what is kept.
   */
  static double sampleRate() {
    return Double.parseDouble(System.getProperty("load.sampleRate", "1.0"));
  }

  record Options(List<ClientKind> clients, int rounds, double seconds, double warmupSeconds,
      int connections, boolean aa, List<String> configs) {}

  /** One configuration's rounds for one client. */
  static final class Totals {
    final String name;
    final List<Double> throughput = new ArrayList<>();
    final List<Double> cpuMicrosPerRequest = new ArrayList<>();
    /** The same without the envelope endpoint's handler threads (the stand-in for Sentry). */
    final List<Double> serviceCpuMicrosPerRequest = new ArrayList<>();
    final List<Double> allocKbPerRequest = new ArrayList<>();
    final Histogram latency = new Histogram();
    long requests;
    long mismatched;
    long missing;
    long not200;
    long errors;
    long exported;
    int threadsDied;
    String export = "-";

    Totals(String name) {
      this.name = name;
    }
  }

  private final Rig rig;
  private final Options options;
  private final PrintStream out;
  private long seq;

  CostRun(Rig rig, Options options, PrintStream out) {
    this.rig = rig;
    this.options = options;
    this.out = out;
  }

  Map<ClientKind, List<Totals>> run() throws Exception {
    List<String> configs = new ArrayList<>(options.configs());
    if (options.aa()) configs.add(1, "none-aa");
    Map<ClientKind, List<Totals>> all = new LinkedHashMap<>();
    for (ClientKind kind : options.clients()) {
      Map<String, Totals> totals = new LinkedHashMap<>();
      for (String c : configs) totals.put(c, new Totals(label(c)));
      out.printf("%n== %s: warm-up%n", kind.label);
      for (String c : configs) round(kind, c, options.warmupSeconds() * 3, null);
      for (int r = 0; r < options.rounds(); r++) {
        List<String> order = new ArrayList<>(configs);
        java.util.Collections.rotate(order, -r);
        for (String c : order) round(kind, c, options.seconds(), totals.get(c));
        out.printf("   round %d/%d done (%s)%n", r + 1, options.rounds(), String.join(", ", order));
      }
      all.put(kind, new ArrayList<>(totals.values()));
    }
    return all;
  }

  private static String label(String config) {
    switch (config) {
      case "none": return "no tracing";
      case "none-aa": return "no tracing (A/A)";
      case "sentry-trace": return "sentry-trace";
      case "sentry-trace-okhttp-transport": return "sentry-trace, OkHttpTransport";
      case "sentry-trace-jdk-transport": return "sentry-trace, JdkHttpTransport";
      default: return "sentry-java 8.62.0";
    }
  }

  private Setup open(String config) {
    switch (config) {
      case "none":
      case "none-aa":
        return new NoTracing(rig.clients);
      case "sentry-trace":
        return new SentryTraceSetup(rig.clients, rig.sink.dsn());
      case "sentry-trace-okhttp-transport":
        return new SentryTraceSetup(rig.clients, rig.sink.dsn(),
            io.sentrytrace.okhttp.OkHttpTransport.create(rig.clients.okhttp));
      case "sentry-trace-jdk-transport": // the default before UrlConnectionTransport
        return new SentryTraceSetup(rig.clients, rig.sink.dsn(), io.sentrytrace.envelope.JdkHttpTransport.create());
      default:
        return new SentryJavaSetup(rig.clients, rig.sink.dsn());
    }
  }

  /** One round of one configuration; {@code into} null: warm-up only. */
  private void round(ClientKind kind, String config, double seconds, Totals into) throws Exception {
    Setup setup = open(config);
    try {
      rig.use(setup);
      Downstream d = rig.downstream;
      LoadGenerator gen = new LoadGenerator(rig.service.port(), options.connections(), n -> kind);
      long warm = (long) (options.warmupSeconds() * 1e9);
      long window = (long) (seconds * 1e9);
      long t0 = System.nanoTime();
      gen.start(seq, Long.MAX_VALUE / 4, t0 + warm + window, null);
      sleepUntil(t0 + warm);
      long mismatched0 = d.mismatched.get() + d.baggageMismatched.get();
      long missing0 = d.missing.get();
      long ours0 = rig.sink.acceptedOurs.get() + rig.sink.acceptedSentryJava.get();
      ProcessMeter.Snapshot m1 = ProcessMeter.snapshot();
      long c1 = gen.completed.get();
      long t1 = System.nanoTime();
      long t2 = t1 + window;
      Histogram h = new Histogram();
      gen.recorder((start, end) -> start >= t1 && end <= t2 ? h : null);
      sleepUntil(t2);
      long c2 = gen.completed.get();
      long t2actual = System.nanoTime();
      gen.stop();
      gen.join();
      long c3 = gen.completed.get();
      setup.flush();
      ProcessMeter.Snapshot m2 = ProcessMeter.snapshot();
      seq = gen.issued.get();
      if (into == null) return;
      long costRequests = c3 - c1;
      into.throughput.add((c2 - c1) / ((t2actual - t1) / 1e9));
      into.cpuMicrosPerRequest.add((m2.cpuNanos() - m1.cpuNanos()) / 1e3 / costRequests);
      long endpointCpu = m2.endpointCpuNanos() - m1.endpointCpuNanos();
      into.serviceCpuMicrosPerRequest.add((m2.cpuNanos() - m1.cpuNanos() - endpointCpu) / 1e3 / costRequests);
      into.allocKbPerRequest.add(m2.allocatedSince(m1) / 1024.0 / costRequests);
      h.addTo(into.latency);
      into.requests += costRequests;
      into.mismatched += d.mismatched.get() + d.baggageMismatched.get() - mismatched0;
      into.missing += d.missing.get() - missing0;
      into.not200 += gen.not200.get();
      into.errors += gen.ioErrors.get();
      into.exported += rig.sink.acceptedOurs.get() + rig.sink.acceptedSentryJava.get() - ours0;
      into.threadsDied += ProcessMeter.threadsDied(m1, m2);
      into.export = setup.exportSummary();
    } finally {
      setup.close();
    }
  }

  private static void sleepUntil(long deadline) throws InterruptedException {
    for (long left; (left = deadline - System.nanoTime()) > 0; ) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    if (v.length == 0) return Double.NaN;
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** Round r of {@code a} against round r of {@code b} (run back to back): the median of the differences. */
  static double pairedDifference(List<Double> a, List<Double> b) {
    List<Double> d = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) d.add(a.get(i) - b.get(i));
    return median(d);
  }

  static double pairedRatio(List<Double> a, List<Double> b) {
    List<Double> r = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) r.add(a.get(i) / b.get(i));
    return median(r);
  }

  /** The table and the targets, as markdown. Returns whether every target was met. */
  static boolean print(Map<ClientKind, List<Totals>> all, Options options, PrintStream out) {
    out.println();
    out.println("| Client | Configuration | Throughput (req/s) | vs untraced | p50 (ms) | p99 (ms) | CPU/req (µs) "
        + "| CPU over untraced (µs) | same, without the endpoint (µs) | Allocated/req (KB) | Requests | Wrong trace downstream | Envelopes received |");
    out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    boolean allMet = true;
    List<String> targets = new ArrayList<>();
    for (Map.Entry<ClientKind, List<Totals>> e : all.entrySet()) {
      List<Totals> rows = e.getValue();
      Totals none = rows.stream().filter(t -> t.name.equals("no tracing")).findFirst().orElse(rows.get(0));
      Function<Totals, Double> over = t -> pairedDifference(t.cpuMicrosPerRequest, none.cpuMicrosPerRequest);
      Function<Totals, Double> serviceOver = t -> pairedDifference(t.serviceCpuMicrosPerRequest, none.serviceCpuMicrosPerRequest);
      Function<Totals, Double> tput = t -> pairedRatio(t.throughput, none.throughput);
      for (Totals t : rows) {
        boolean traced = t.name.startsWith("sentry");
        out.printf(Locale.ROOT, "| %s | %s | %,.0f | %.1f%% | %.2f | %.2f | %.0f | %s | %s | %.1f | %,d | %s | %s |%n",
            e.getKey().label, t.name, median(t.throughput), 100 * tput.apply(t),
            t.latency.quantileMicros(0.50) / 1e3, t.latency.quantileMicros(0.99) / 1e3,
            median(t.cpuMicrosPerRequest),
            t == none ? "-" : String.format(Locale.ROOT, "%+.0f", over.apply(t)),
            t == none ? "-" : String.format(Locale.ROOT, "%+.0f", serviceOver.apply(t)),
            median(t.allocKbPerRequest), t.requests,
            traced ? (t.mismatched + t.missing) + "" : "-", traced ? String.format(Locale.ROOT, "%,d", t.exported) : "-");
      }
      Totals ours = rows.stream().filter(t -> t.name.equals("sentry-trace")).findFirst().orElse(null);
      Totals theirs = rows.stream().filter(t -> t.name.startsWith("sentry-java")).findFirst().orElse(null);
      out.println();
      for (Totals t : rows) {
        out.printf(Locale.ROOT, "  %s / %s: per-round throughput %s, CPU µs/req %s (without the endpoint %s); non-200 %d, I/O errors %d; export: %s%s%n",
            e.getKey().label, t.name, fmt(t.throughput), fmt(t.cpuMicrosPerRequest), fmt(t.serviceCpuMicrosPerRequest),
            t.not200, t.errors, t.export,
            ProcessMeter.exactAllocation() ? "" : "; threads died in windows: " + t.threadsDied);
      }
      if (ours == null || theirs == null || ours == none) continue; // a subset: no targets
      double ratio = tput.apply(ours);
      boolean tputMet = ratio >= 0.95;
      boolean cpuMet = over.apply(ours) < over.apply(theirs) / 2;
      boolean serviceCpuMet = serviceOver.apply(ours) < serviceOver.apply(theirs) / 2;
      boolean traceMet = ours.mismatched + ours.missing == 0 && ours.requests > 0;
      allMet &= tputMet && cpuMet && traceMet;
      targets.add(String.format(Locale.ROOT, "| %s | %s | sentry-trace throughput / untraced | %.1f%% (target >= 95%%) |",
          tputMet ? "met" : "**missed**", e.getKey().label, 100 * ratio));
      targets.add(String.format(Locale.ROOT, "| %s | %s | CPU over untraced, whole process: sentry-trace / sentry-java | %.0f µs / %.0f µs = %.2f (target < 0.5) |",
          cpuMet ? "met" : "**missed**", e.getKey().label, over.apply(ours), over.apply(theirs), over.apply(ours) / over.apply(theirs)));
      targets.add(String.format(Locale.ROOT, "| %s | %s | the same without the envelope endpoint's threads | %.0f µs / %.0f µs = %.2f (target < 0.5) |",
          serviceCpuMet ? "met" : "**missed**", e.getKey().label, serviceOver.apply(ours), serviceOver.apply(theirs),
          serviceOver.apply(ours) / serviceOver.apply(theirs)));
      targets.add(String.format(Locale.ROOT, "| %s | %s | downstream calls with a wrong or missing trace (sentry-trace) | %d of %,d |",
          traceMet ? "met" : "**missed**", e.getKey().label, ours.mismatched + ours.missing, ours.requests));
    }
    out.println();
    out.println("| | Client | Target | This run |");
    out.println("| --- | --- | --- | --- |");
    targets.forEach(out::println);
    return allMet;
  }

  private static String fmt(List<Double> values) {
    StringBuilder sb = new StringBuilder("[");
    for (Double v : values) sb.append(sb.length() > 1 ? ", " : "").append(String.format(Locale.ROOT, "%.0f", v));
    return sb.append(']').toString();
  }
}
