package io.sentrytrace.load;

import io.sentrytrace.load.EnvelopeSink.Mode;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Many requests through the traced service (the three clients in turn, {@code concurrency} at
 * once) while the envelope endpoint misbehaves on a schedule: it stalls, answers 500, answers 429
 * with {@code Retry-After}, and refuses connections (its server stopped, then started again on the
 * same port). Afterwards every invariant is checked and printed as PASS or FAIL.
 */
final class Soak {
  record Options(long requests, int concurrency, double okSeconds, double stallSeconds, double badSeconds,
      int leakEvery, double maxMinutes, boolean wrapWorkers) {
    static Options million() {
      return new Options(1_000_000, 64, 4, 3, 3, 1000, 25, false);
    }

    static Options ci() {
      return new Options(20_000, 64, 1, 3, 1.5, 200, 2.5, false);
    }

    Options wrapWorkers(boolean wrap) {
      return new Options(requests, concurrency, okSeconds, stallSeconds, badSeconds, leakEvery, maxMinutes, wrap);
    }
  }

  /** One invariant's outcome. */
  record Check(String name, boolean pass, String detail) {}

  record Result(List<Check> checks, long requests, boolean complete) {
    boolean passed() {
      return checks.stream().allMatch(Check::pass);
    }
  }

  private record Census(long heapBytes, int threads, Map<String, Integer> threadsByName, long handled) {}

  private final Options options;
  private final PrintStream out;
  private final PhaseLog phases = new PhaseLog();

  Soak(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Result run() throws Exception {
    try (LogCounter scopeLog = new LogCounter("io.sentrytrace.Scope");
        LogCounter exporterLog = new LogCounter("io.sentrytrace.envelope.EnvelopeExporter")) {
      Result r = run(scopeLog);
      out.println("log io.sentrytrace.Scope: " + scopeLog + (scopeLog.firstWarning == null ? "" : "; first: " + scopeLog.firstWarning));
      out.println("log io.sentrytrace.envelope.EnvelopeExporter: " + exporterLog
          + (exporterLog.firstWarning == null ? "" : "; first: " + exporterLog.firstWarning));
      return r;
    }
  }

  private Result run(LogCounter scopeLog) throws Exception {
    try (Rig rig = new Rig(options.concurrency())) {
      SentryTraceSetup setup = new SentryTraceSetup(rig.clients, rig.sink.dsn());
      rig.use(setup);
      rig.service.leakEvery = options.leakEvery();
      if (options.wrapWorkers()) rig.service.wrapWorkers(setup.tracer);
      ClientKind[] kinds = ClientKind.values();
      LoadGenerator gen = new LoadGenerator(rig.service.port(), options.concurrency(), n -> kinds[(int) (n % kinds.length)]);
      Map<Mode, Histogram> latency = new EnumMap<>(Mode.class);
      for (Mode m : Mode.values()) latency.put(m, new Histogram());
      LoadGenerator.Recorder recorder = (start, end) -> {
        Mode a = phases.at(start);
        return a == phases.at(end) ? latency.get(a) : null; // requests spanning a switch count nowhere
      };

      long began = System.nanoTime();
      long deadline = began + (long) (options.maxMinutes() * 60e9);
      Thread schedule = new Thread(() -> misbehave(rig.sink), "sink-schedule");
      schedule.setDaemon(true);
      phases.add(System.nanoTime(), Mode.OK);
      schedule.start();

      // The checkpoint is a tenth of the run (100,000 of a million). A short run (CI's
      // 20,000) is still warming up then (JIT, pools, caches): it compares its second half instead.
      long first = Math.max(1, options.requests() >= 100_000 ? options.requests() / 10 : options.requests() / 2);
      out.printf(Locale.ROOT, "soak: %,d requests, %d concurrent, clients %s in turn; checkpoint at %,d; "
              + "every %d-th handler leaves a scope open; server executor %s%n",
          options.requests(), options.concurrency(), List.of(kinds), first, options.leakEvery(),
          options.wrapWorkers() ? "tracer.wrap(pool)" : "a plain pool");
      gen.start(0, first, deadline, recorder);
      gen.join();
      Census atFirst = census(rig, setup, gen);
      progress(began, gen, "checkpoint");
      gen.start(first, options.requests() - first, deadline, recorder);
      Thread reporter = progressReporter(began, gen);
      gen.join();
      reporter.interrupt();
      Census atEnd = census(rig, setup, gen);
      schedule.interrupt();
      schedule.join();
      rig.sink.mode(Mode.OK, 0);
      long done = gen.completed.get();
      boolean complete = done >= options.requests();
      out.printf(Locale.ROOT, "%,d requests in %.1f s%s%n", done, (System.nanoTime() - began) / 1e9,
          complete ? "" : " (stopped at the time bound of " + options.maxMinutes() + " min)");

      setup.flush();
      setup.close(); // flush (bounded) and stop: whatever is left is counted as dropped
      return new Result(checks(rig, setup, gen, latency, atFirst, atEnd, scopeLog), done, complete);
    }
  }

  private List<Check> checks(Rig rig, SentryTraceSetup setup, LoadGenerator gen, Map<Mode, Histogram> latency,
      Census atFirst, Census atEnd, LogCounter scopeLog) {
    List<Check> checks = new ArrayList<>();
    Service s = rig.service;
    Downstream d = rig.downstream;
    long wrong = d.mismatched.get() + d.baggageMismatched.get() + d.missing.get();
    checks.add(new Check("downstream calls carrying another request's trace (or none)", wrong == 0,
        String.format(Locale.ROOT, "%d of %,d (sentry-trace wrong %d, baggage wrong %d, missing %d)", wrong,
            d.calls.get(), d.mismatched.get(), d.baggageMismatched.get(), d.missing.get())));
    long exceptions = s.clientExceptions.get() + s.escapedExceptions.get();
    checks.add(new Check("exceptions reaching the handler or the client caller", exceptions == 0,
        String.format(Locale.ROOT, "client calls threw %d, escaped the filter chain %d%s", s.clientExceptions.get(),
            s.escapedExceptions.get(), s.firstException.get() == null ? "" : "; first: " + s.firstException.get())));
    long failedRequests = gen.not200.get() + gen.ioErrors.get();
    checks.add(new Check("requests answered 200", failedRequests == 0,
        String.format(Locale.ROOT, "%,d not 200, %d I/O errors%s", gen.not200.get(), gen.ioErrors.get(),
            gen.firstError.get() == null ? "" : "; first: " + gen.firstError.get())));
    var e = setup.exporter;
    long accounted = e.sentCount() + e.droppedCount() + e.failedCount() + e.rateLimitedCount();
    long finished = s.handled.get();
    checks.add(new Check("exporter's books: sent + dropped + failed + rate-limited = transactions finished",
        accounted == finished,
        String.format(Locale.ROOT, "%,d + %,d + %,d + %,d = %,d; finished %,d (endpoint accepted %,d)", e.sentCount(),
            e.droppedCount(), e.failedCount(), e.rateLimitedCount(), accounted, finished, rig.sink.acceptedOurs.get())));
    double growth = (double) atEnd.heapBytes() / atFirst.heapBytes() - 1;
    checks.add(new Check("heap after full GC, " + String.format(Locale.ROOT, "%,d vs %,d", atFirst.handled(), atEnd.handled())
        + " requests, within 10%", Math.abs(growth) <= 0.10,
        String.format(Locale.ROOT, "%.1f MB vs %.1f MB (%+.1f%%)", atFirst.heapBytes() / 1e6, atEnd.heapBytes() / 1e6, 100 * growth)));
    int fixedFirst = fixedThreads(atFirst);
    int fixedEnd = fixedThreads(atEnd);
    checks.add(new Check("live threads the same (apart from the JDK's and OkHttp's elastic pools and the stand-in Sentry's server threads)",
        fixedFirst == fixedEnd,
        String.format(Locale.ROOT, "%d vs %d (all threads: %d vs %d)%s", fixedFirst, fixedEnd, atFirst.threads(),
            atEnd.threads(), atFirst.threadsByName().equals(atEnd.threadsByName()) ? ""
                : "; by name: " + atFirst.threadsByName() + " -> " + atEnd.threadsByName())));
    checks.add(new Check("scopes left open by the handler not carried into the next request on that worker thread",
        s.inheritedScopes.get() == 0 && s.leaksMade.get() > 0,
        String.format(Locale.ROOT, "%,d scopes left open by the handler; %,d requests started with a scope still open (deepest stack %d)",
            s.leaksMade.get(), s.inheritedScopes.get(), s.maxInheritedDepth.get())));
    long misuseRecords = scopeLog.warnings.get() + scopeLog.debug.get();
    // WARNING once per JVM: an earlier run in the same JVM may have had it already.
    checks.add(new Check("each scope left open is reported (io.sentrytrace.Scope logger: WARNING once, then DEBUG)",
        misuseRecords >= s.leaksMade.get() && scopeLog.warnings.get() <= 1,
        String.format(Locale.ROOT, "%,d misuse records (%s) for %,d scopes left open", misuseRecords, scopeLog, s.leaksMade.get())));
    Histogram ok = latency.get(Mode.OK);
    Histogram stall = latency.get(Mode.STALL);
    long okP99 = ok.quantileMicros(0.99);
    long stallP99 = stall.quantileMicros(0.99);
    // "No worse": within a quarter plus a millisecond of the normal windows' p99 (scheduling noise).
    boolean latencyPass = stall.count() > 0 && ok.count() > 0 && stallP99 <= okP99 * 1.25 + 1_000;
    StringBuilder byMode = new StringBuilder();
    for (Map.Entry<Mode, Histogram> m : latency.entrySet()) {
      Histogram h = m.getValue();
      if (h.count() == 0) continue;
      byMode.append(String.format(Locale.ROOT, "%s%s: %,d req, p50 %.2f ms, p99 %.2f ms", byMode.length() == 0 ? "" : "; ",
          m.getKey(), h.count(), h.quantileMicros(0.5) / 1e3, h.quantileMicros(0.99) / 1e3));
    }
    checks.add(new Check("request p99 while Sentry stalls no worse than while it answers (<= 1.25x + 1 ms)", latencyPass,
        byMode.toString()));
    return checks;
  }

  /**
   * Threads that come and go with demand: the JDK HttpClient's default executor (a cached pool,
   * 60 s idle timeout), OkHttp's task runner, the JDK's keep-alive timer (alive while
   * HttpURLConnection, under the exporter's default transport, holds idle connections); and the
   * JDK HttpServer's own dispatcher and idle-timer threads (one each per running server): the
   * stand-in Sentry's come and go with its DOWN windows, so a census taken while it is down has one
   * of each fewer. All others are fixed.
   */
  static boolean elastic(String name) {
    return name.matches("HttpClient-\\d+-Worker") || name.equals("OkHttp TaskRunner") || name.equals("Keep-Alive-Timer")
        || name.equals("HTTP-Dispatcher") || name.equals("idle-timeout-task")
        // The exporter's senders grow with the backlog and end when idle, up to maxSenders.
        || name.startsWith("sentry-trace-envelope-sender")
        // sentry-java's, left by another configuration run in the same JVM (the grid's): it ends on its own.
        || name.equals("SentryHostnameCache");
  }

  private static int fixedThreads(Census c) {
    int n = 0;
    for (Map.Entry<String, Integer> e : c.threadsByName().entrySet()) if (!elastic(e.getKey())) n += e.getValue();
    return n;
  }

  static void print(Result result, PrintStream out) {
    out.println();
    for (Check c : result.checks()) {
      out.printf("%s  %s%n      %s%n", c.pass() ? "PASS" : "FAIL", c.name(), c.detail());
    }
    out.printf("%s (%,d requests%s)%n", result.passed() ? "ALL PASS" : "SOME FAILED", result.requests(),
        result.complete() ? "" : ", time-bounded");
  }

  /** The endpoint's schedule, round and round until interrupted. */
  private void misbehave(EnvelopeSink sink) {
    Mode[] bad = {Mode.STALL, Mode.ERROR_500, Mode.RATE_LIMIT_429, Mode.DOWN};
    try {
      for (int i = 0; ; i++) {
        Thread.sleep((long) (options.okSeconds() * 1000));
        Mode m = bad[i % bad.length];
        double seconds = m == Mode.STALL ? options.stallSeconds() : options.badSeconds();
        long stallNanos = (long) (seconds * 1e9);
        phases.add(System.nanoTime(), m);
        sink.mode(m, stallNanos);
        Thread.sleep((long) (seconds * 1000));
        sink.mode(Mode.OK, 0);
        phases.add(System.nanoTime(), Mode.OK);
      }
    } catch (InterruptedException e) {
      // the soak is over
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Quiet: the load is done and exports flushed (bounded); then a full GC, used heap and threads. */
  private Census census(Rig rig, SentryTraceSetup setup, LoadGenerator gen) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (rig.service.handled.get() < gen.completed.get() && System.nanoTime() < deadline) Thread.sleep(10);
    setup.tracer.flush(Duration.ofSeconds(15));
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    Map<String, Integer> byName = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      byName.merge(t.getName().replaceAll("[-#]?\\d+$", ""), 1, Integer::sum);
    }
    return new Census(used, ManagementFactory.getThreadMXBean().getThreadCount(), byName, rig.service.handled.get());
  }

  private void progress(long began, LoadGenerator gen, String what) {
    out.printf(Locale.ROOT, "  %s: %,d requests, %.0f s%n", what, gen.completed.get(), (System.nanoTime() - began) / 1e9);
  }

  private Thread progressReporter(long began, LoadGenerator gen) {
    Thread t = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(60_000);
          progress(began, gen, "progress");
        }
      } catch (InterruptedException e) {
        // done
      }
    }, "soak-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** When the endpoint changed behaviour: the phase a request ran in, by its start and end times. */
  private static final class PhaseLog {
    private volatile long[] times = new long[0];
    private volatile Mode[] modes = new Mode[0];

    synchronized void add(long nanos, Mode mode) {
      long[] t = java.util.Arrays.copyOf(times, times.length + 1);
      Mode[] m = java.util.Arrays.copyOf(modes, modes.length + 1);
      t[t.length - 1] = nanos;
      m[m.length - 1] = mode;
      modes = m;
      times = t;
    }

    Mode at(long nanos) {
      long[] t = times;
      Mode[] m = modes;
      int n = Math.min(t.length, m.length);
      int lo = 0;
      int hi = n - 1;
      int found = 0;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (t[mid] <= nanos) {
          found = mid;
          lo = mid + 1;
        } else {
          hi = mid - 1;
        }
      }
      return n == 0 ? Mode.OK : m[found];
    }
  }
}
