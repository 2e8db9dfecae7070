package io.sentrytrace.load;

import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.load.StandInSentry.Behaviour;
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
 * The exporter alone for a long while against a {@link StandInSentry} some distance away that
 * takes turns: answers 200, then 429 with {@code Retry-After}, 200, 503, 200, hangs (requests held
 * unanswered, then their connections closed), and round again. A {@code Tracer} with the default
 * {@link EnvelopeExporter} finishes transactions at a steady rate throughout; then it is closed and
 * the invariants are printed as PASS, FAIL or SKIP: the exporter's books balance, Sentry's count
 * agrees with the exporter's, client reports (when the exporter sends any) match its counters, the
 * heap after GC does not grow from a third of the run to its end, and the threads are back to what
 * they were once the exporter is closed.
 *
 * <pre>{@code
 * java -jar sentry-trace-load/target/sentry-trace-load.jar soak-export --minutes 10 --delay 50 --rate 500
 * }</pre>
 */
final class ExportSoak {
  /** The exporter's own threads are named so; none may outlive close(). */
  static final String EXPORTER_THREADS = "sentry-trace";
  /** Envelopes on the wire when close() ends a send: Sentry may accept them unbeknown to the exporter. */
  static final int MAX_IN_FLIGHT = 64;

  record Options(double minutes, int delayMillis, int rate, double okSeconds, double badSeconds, int retryAfterSeconds,
      int producers) {
    Options {
      if (!(minutes > 0)) throw new IllegalArgumentException("--minutes must be positive, got " + minutes);
      if (rate < 1) throw new IllegalArgumentException("--rate must be at least 1, got " + rate);
      if (delayMillis < 0) throw new IllegalArgumentException("--delay must not be negative, got " + delayMillis);
    }

    /** The issue's: Sentry 50 ms away, 500 transactions/s, ten minutes; 20 s good, 10 s bad. */
    static Options tenMinutes() {
      return new Options(10, 50, 500, 20, 10, 5, 4);
    }

    /** The same at CI size: every phase at least once in {@code seconds}. */
    static Options ci(double seconds) {
      return new Options(seconds / 60, 50, 500, 2, 1.5, 1, 4);
    }
  }

  /** One invariant; outcome PASS, FAIL or SKIP (not applicable to this exporter). */
  record Check(String name, String outcome, String detail) {
    static Check of(String name, boolean pass, String detail) {
      return new Check(name, pass ? "PASS" : "FAIL", detail);
    }

    boolean failed() {
      return outcome.equals("FAIL");
    }
  }

  record Result(List<Check> checks, long finished, EnumMap<Behaviour, Integer> phases) {
    boolean passed() {
      return checks.stream().noneMatch(Check::failed);
    }
  }

  private final Options options;
  private final PrintStream out;

  ExportSoak(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  Result run() throws Exception {
    Duration length = Duration.ofNanos((long) (options.minutes() * 60e9));
    int maxDistinct = (int) Math.min(4_000_000, (long) (options.rate() * options.minutes() * 60) + 1000);
    out.printf(Locale.ROOT, "soak-export: %.1f min, Sentry %d ms away, %d transactions/s from %d producers; "
            + "phases: 200 for %.1f s between 429 (Retry-After %d s), 503 and hang for %.1f s each%n",
        options.minutes(), options.delayMillis(), options.rate(), options.producers(), options.okSeconds(),
        options.retryAfterSeconds(), options.badSeconds());
    try (LogCounter log = new LogCounter("io.sentrytrace");
        StandInSentry sentry = new StandInSentry(Duration.ofMillis(options.delayMillis()),
            ExportGrid.STAND_IN_CONNECTIONS, maxDistinct)) {
      sentry.retryAfterSeconds(options.retryAfterSeconds());
      Map<String, Integer> baseline = threads();
      EnvelopeExporter exporter = EnvelopeExporter.builder(sentry.dsn()).build();
      Tracer tracer = Tracer.builder().dsn(sentry.dsn()).tracesSampleRate(1.0).release("shop@1.4.0")
          .environment("production").exporter(exporter).build();
      EnumMap<Behaviour, Integer> phases = new EnumMap<>(Behaviour.class);
      SteadyLoad load;
      long heapThird;
      long heapEnd;
      try {
        load = SteadyLoad.start("soak-producer", options.producers(), options.rate(), length, ExportGrid.ours(tracer));
        Thread schedule = new Thread(() -> misbehave(sentry, phases), "soak-schedule");
        schedule.setDaemon(true);
        schedule.start();
        long third = load.startNanos() + length.toNanos() / 3;
        for (long left; (left = third - System.nanoTime()) > 0; ) Thread.sleep(Math.max(1, left / 1_000_000));
        heapThird = heapAfterGc();
        out.printf(Locale.ROOT, "  a third in: %,d finished, heap after GC %.1f MB; %s%n", load.finished.get(),
            heapThird / 1e6, exporter);
        boolean ended = load.join(length.plusSeconds(60));
        schedule.interrupt();
        schedule.join(10_000);
        sentry.behave(Behaviour.OK);
        heapEnd = heapAfterGc();
        out.printf(Locale.ROOT, "  at the end: %,d finished%s, heap after GC %.1f MB; %s%n", load.finished.get(),
            ended ? "" : " (producers stopped at their time bound)", heapEnd / 1e6, exporter);
      } finally {
        tracer.close();
      }
      long finished = load.finished.get();
      // A send that ignored close()'s interrupt is counted when it returns: wait for it (bounded).
      long booksDeadline = System.nanoTime() + 10_000_000_000L;
      while (ExportGrid.Counters.of(exporter).total() != finished && System.nanoTime() < booksDeadline) Thread.sleep(10);
      Map<String, Integer> after = threadsAfterClose(baseline);
      sentry.close(); // counts final
      List<Check> checks = checks(exporter, sentry, finished, heapThird, heapEnd, baseline, after, load);
      out.println("log io.sentrytrace: " + log + (log.firstWarning == null ? "" : "; first: " + log.firstWarning));
      out.printf(Locale.ROOT, "stand-in: %,d requests, %,d distinct accepted (%,d again), %,d answered 429, %,d 503, "
              + "%,d hung; %,d connections (peak open %d); client reports %s%n",
          sentry.requests.get(), sentry.distinctAccepted.get(), sentry.duplicateAccepted.get(), sentry.answered429.get(),
          sentry.answered503.get(), sentry.hung.get(), sentry.connectionsOpened.get(), sentry.peakOpen.get(),
          sentry.clientReports());
      return new Result(checks, finished, phases);
    }
  }

  private List<Check> checks(EnvelopeExporter exporter, StandInSentry sentry, long finished, long heapThird,
      long heapEnd, Map<String, Integer> baseline, Map<String, Integer> after, SteadyLoad load) {
    List<Check> checks = new ArrayList<>();
    ExportGrid.Counters k = ExportGrid.Counters.of(exporter);
    checks.add(Check.of("transactions finished without an error in the producers", load.errors.get() == 0 && finished > 0,
        String.format(Locale.ROOT, "%,d finished of %,d offered, %d errors%s", finished, load.offered, load.errors.get(),
            load.firstError.get() == null ? "" : "; first: " + load.firstError.get())));
    checks.add(Check.of("exporter's books: sent + dropped + failed + rate-limited = transactions finished",
        k.total() == finished, String.format(Locale.ROOT, "%,d + %,d + %,d + %,d = %,d; finished %,d", k.sent(),
            k.dropped(), k.failed(), k.rateLimited(), k.total(), finished)));
    long accepted = sentry.distinctAccepted.get();
    checks.add(Check.of("Sentry accepted every envelope counted as sent (and at most " + MAX_IN_FLIGHT
            + " more, answers lost to close())", accepted >= k.sent() && accepted <= k.sent() + MAX_IN_FLIGHT,
        String.format(Locale.ROOT, "stand-in accepted %,d distinct (%,d again); exporter sent %,d%s", accepted,
            sentry.duplicateAccepted.get(), k.sent(), sentry.idSetOverflowed() ? "; id set overflowed" : "")));
    Map<String, Long> reports = sentry.clientReports();
    if (reports.isEmpty()) {
      checks.add(new Check("client reports received match the exporter's discards", "SKIP",
          "the stand-in received no client reports (this exporter sends none)"));
    } else {
      long reported = 0;
      for (Map.Entry<String, Long> e : reports.entrySet()) {
        if (e.getKey().endsWith("/transaction") && !e.getKey().startsWith("sample_rate/")) reported += e.getValue();
      }
      long discarded = k.dropped() + k.failed() + k.rateLimited();
      long relay = sentry.transactionsAnswered429.get();
      // Sends close() cut off (at most one per sender) end after the last report: not reportable.
      long unreported = discarded - reported - relay;
      checks.add(Check.of("client reports received + what Sentry answered 429 (Relay's own outcomes) = the exporter's "
              + "discards (transaction category; at most " + MAX_IN_FLIGHT + " sends cut off by close() unreported)",
          unreported >= 0 && unreported <= MAX_IN_FLIGHT, String.format(Locale.ROOT, "reported %,d + answered 429 %,d "
              + "= %,d: %s; exporter dropped %,d + failed %,d + rate-limited %,d = %,d", reported, relay, reported + relay,
              reports, k.dropped(), k.failed(), k.rateLimited(), discarded)));
    }
    long bound = Math.max(heapThird / 4, 16_000_000L);
    checks.add(Check.of("heap after GC at the end within a quarter (or 16 MB) of a third in", heapEnd <= heapThird + bound,
        String.format(Locale.ROOT, "%.1f MB then %.1f MB (%+.1f MB; bound +%.1f MB)", heapThird / 1e6, heapEnd / 1e6,
            (heapEnd - heapThird) / 1e6, bound / 1e6)));
    int exporterThreads = after.entrySet().stream().filter(e -> e.getKey().startsWith(EXPORTER_THREADS))
        .mapToInt(Map.Entry::getValue).sum();
    int fixedBefore = fixed(baseline);
    int fixedAfter = fixed(after);
    checks.add(Check.of("threads back to the baseline after close() (none named " + EXPORTER_THREADS + "*)",
        exporterThreads == 0 && fixedAfter <= fixedBefore, String.format(Locale.ROOT, "%d before, %d after%s",
            fixedBefore, fixedAfter, baseline.equals(after) ? "" : "; by name: " + baseline + " -> " + after)));
    return checks;
  }

  /** The stand-in's turns, round and round until interrupted. */
  private void misbehave(StandInSentry sentry, EnumMap<Behaviour, Integer> phases) {
    Behaviour[] bad = {Behaviour.RATE_LIMITED_429, Behaviour.UNAVAILABLE_503, Behaviour.HANG};
    try {
      for (int i = 0; ; i++) {
        Thread.sleep((long) (options.okSeconds() * 1000));
        Behaviour b = bad[i % bad.length];
        synchronized (phases) {
          phases.merge(b, 1, Integer::sum);
        }
        sentry.behave(b);
        Thread.sleep((long) (options.badSeconds() * 1000));
        sentry.behave(Behaviour.OK);
      }
    } catch (InterruptedException e) {
      // the soak is over
    }
  }

  /** Used heap after full GCs: the least of four readings. */
  private static long heapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      Thread.sleep(100);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** Live threads by name (trailing numbers dropped). */
  static Map<String, Integer> threads() {
    Map<String, Integer> byName = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive()) byName.merge(t.getName().replaceAll("[-#]?\\d+$", ""), 1, Integer::sum);
    }
    return byName;
  }

  /** After close(): the census once the exporter's threads are gone and the rest are back (waits up to 10 s). */
  private static Map<String, Integer> threadsAfterClose(Map<String, Integer> baseline) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Map<String, Integer> now = threads();
      boolean exporterGone = now.keySet().stream().noneMatch(n -> n.startsWith(EXPORTER_THREADS));
      if ((exporterGone && fixed(now) <= fixed(baseline)) || System.nanoTime() > deadline) return now;
      Thread.sleep(50);
    }
  }

  /**
   * Threads that are not the exporter's and come and go on their own: the stand-in's (a thread per
   * connection), the producers, the JDK's keep-alive cleaner (alive while idle connections are
   * cached), the JIT's and the attach listener; plus those {@link Soak} knows.
   */
  private static boolean elastic(String name) {
    return name.startsWith(StandInSentry.THREAD_PREFIX) || name.startsWith("soak-") || name.contains("CompilerThread")
        || name.equals("Attach Listener") || Soak.elastic(name);
  }

  private static int fixed(Map<String, Integer> census) {
    int n = 0;
    for (Map.Entry<String, Integer> e : census.entrySet()) if (!elastic(e.getKey())) n += e.getValue();
    return n;
  }

  static void print(Result result, PrintStream out) {
    out.println();
    out.println("phases of each kind: " + result.phases());
    for (Check c : result.checks()) out.printf("%s  %s%n      %s%n", c.outcome(), c.name(), c.detail());
    out.printf(Locale.ROOT, "%s (%,d transactions finished)%n", result.passed() ? "ALL PASS" : "SOME FAILED",
        result.finished());
  }
}
