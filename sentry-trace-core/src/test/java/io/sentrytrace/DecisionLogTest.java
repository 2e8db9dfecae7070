package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.test.LogRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every decision the tracer logs with {@code debug(true)}, line by line; and silence without it. */
class DecisionLogTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String PARENT = "b7ad6b7169203331";
  private static final String SAMPLED = TRACE + "-" + PARENT + "-1";
  private static final String DEFERRED = TRACE + "-" + PARENT;

  /** Keeps the lines of tracers built outside a test's own capture (their start line) off the console. */
  private LogRecords quiet;

  @BeforeEach
  void quiet() {
    quiet = capture();
  }

  @AfterEach
  void loud() {
    quiet.close();
  }

  private static Tracer.Builder debug() {
    return Tracer.builder().debug(true);
  }

  private static LogRecords capture() {
    return LogRecords.named(DecisionLog.LOGGER_NAME);
  }

  @Test
  void aDecisionShowsWithTheDefaultLoggingConfiguration() {
    // Nothing configures this logger: INFO passes the JDK's default configuration (root at INFO).
    quiet.close();
    assertThat(java.util.logging.Logger.getLogger(DecisionLog.LOGGER_NAME).getLevel()).isNull();
    assertThat(System.getLogger(DecisionLog.LOGGER_NAME).isLoggable(System.Logger.Level.INFO)).isTrue();
    quiet = capture();
    try (LogRecords log = capture()) {
      debug().build().continueTrace(null, null);
      assertThat(log.levels()).containsOnly(java.util.logging.Level.INFO).isNotEmpty();
    }
  }

  @Test
  void aTracerWithTheLogOnSaysSoWithTheSettingsDecisionsDependOn() {
    try (LogRecords log = capture()) {
      debug().tracesSampleRate(0.25).orgId("1").tracePropagationTargets(List.of("localhost", Pattern.compile("^https://api\\."))).build();
      assertThat(log.lines())
          .containsExactly(
              "INFO decision log on: tracePropagationTargets [\"localhost\", /^https://api\\./], tracesSampleRate 0.25,"
                  + " tracesSampler (none), org_id 1, strictTraceContinuation false");
    }
  }

  // ---- incoming ----

  @Test
  void incomingContinued() {
    Tracer tracer = debug().build();
    try (LogRecords log = capture()) {
      tracer.continueTrace(SAMPLED, "sentry-trace_id=" + TRACE + ",sentry-sample_rand=0.25,sentry-sampled=true");
      assertThat(log.lines())
          .containsExactly("INFO incoming continued: trace " + TRACE + ", parent span " + PARENT + ", sampled=true, sample_rand 0.250000 (from baggage)");
    }
  }

  @Test
  void incomingContinuedWithASampleRandBackfilledOrNew() {
    Tracer tracer = debug().build();
    try (LogRecords log = capture()) {
      PropagationContext backfilled = tracer.continueTrace(SAMPLED, "sentry-sample_rate=0.5");
      tracer.continueTrace(DEFERRED + "-0", null);
      assertThat(log.lines().get(0))
          .isEqualTo("INFO incoming continued: trace " + TRACE + ", parent span " + PARENT + ", sampled=true, sample_rand "
              + SampleRand.format(backfilled.sampleRand()) + " (not in baggage: backfilled from sample_rate 0.5)");
      assertThat(log.lines().get(1))
          .matches("INFO incoming continued: trace " + TRACE + ", parent span " + PARENT
              + ", sampled=false, sample_rand 0\\.\\d{6} \\(not in baggage: random\\)");
    }
  }

  @Test
  void incomingDeferred() {
    Tracer tracer = debug().build();
    try (LogRecords log = capture()) {
      tracer.continueTrace(DEFERRED, "sentry-sample_rand=0.5");
      assertThat(log.lines())
          .containsExactly("INFO incoming deferred: trace " + TRACE + ", parent span " + PARENT
              + ", no sampling decision in the header; this service decides, sample_rand 0.500000 (from baggage)");
    }
  }

  @Test
  void incomingWithoutHeader() {
    try (LogRecords log = capture()) {
      Tracer tracer = debug().continueFromTraceparent(true).build();
      Tracer sentryOnly = debug().build();
      int before = log.lines().size();
      tracer.extract(Map.<String, String>of(), Map::get);
      sentryOnly.continueTrace(null, "sentry-org_id=1");
      assertThat(log.lines().subList(before, log.lines().size()))
          .containsExactly(
              "INFO incoming not continued: no sentry-trace or traceparent header",
              "INFO incoming not continued: no sentry-trace header");
    }
  }

  @Test
  void incomingRefusedInvalidHeaderShowsABoundedPreview() {
    Tracer tracer = debug().build();
    try (LogRecords log = capture()) {
      tracer.continueTrace("nonsense\r\n" + "x".repeat(10_000), null);
      assertThat(log.lines())
          .containsExactly("INFO incoming refused (invalid header): sentry-trace \"nonsense??" + "x".repeat(54) + "...\"");
    }
  }

  @Test
  void incomingRefusedOrgMismatch() {
    Tracer tracer = debug().dsn("https://pk@o1.ingest.sentry.io/2").build();
    try (LogRecords log = capture()) {
      tracer.continueTrace(SAMPLED, "sentry-trace_id=" + TRACE + ",sentry-org_id=7");
      assertThat(log.lines()).containsExactly("INFO incoming refused (org mismatch): trace " + TRACE + ", baggage org_id 7, ours 1");
    }
  }

  @Test
  void incomingRefusedStrictMode() {
    Tracer ours = debug().orgId("1").strictTraceContinuation(true).build();
    Tracer none = debug().strictTraceContinuation(true).build();
    try (LogRecords log = capture()) {
      ours.continueTrace(SAMPLED, "sentry-trace_id=" + TRACE);
      none.continueTrace(SAMPLED, "sentry-trace_id=" + TRACE + ",sentry-org_id=7");
      assertThat(log.lines())
          .containsExactly(
              "INFO incoming refused (strict mode): trace " + TRACE + ", baggage org_id (none), ours 1 (strictTraceContinuation needs both or neither)",
              "INFO incoming refused (strict mode): trace " + TRACE + ", baggage org_id 7, ours (none) (strictTraceContinuation needs both or neither)");
    }
  }

  @Test
  void incomingContinuedFromTraceparent() {
    Tracer tracer = debug().continueFromTraceparent(true).build();
    Map<String, String> headers = new HashMap<>();
    headers.put("traceparent", "00-" + TRACE + "-" + PARENT + "-01");
    headers.put("baggage", "sentry-sample_rand=0.125");
    try (LogRecords log = capture()) {
      tracer.extract(headers, Map::get);
      assertThat(log.lines())
          .containsExactly("INFO incoming continued from traceparent: trace " + TRACE + ", parent span " + PARENT
              + ", sampled=true, sample_rand 0.125000 (from baggage)");
    }
  }

  // ---- sampling ----

  @Test
  void transactionSampledOrNotByRate() {
    Tracer tracer = debug().tracesSampleRate(0.5).build();
    PropagationContext low = tracer.continueTrace(DEFERRED, "sentry-sample_rand=0.25");
    PropagationContext high = tracer.continueTrace(DEFERRED, "sentry-sample_rand=0.75");
    try (LogRecords log = capture()) {
      tracer.startTransaction("GET /orders", "http.server", low);
      tracer.startTransaction("GET /orders", "http.server", high);
      assertThat(log.lines())
          .containsExactly(
              "INFO transaction sampled: \"GET /orders\" trace " + TRACE + ", sample_rand 0.250000 < 0.5 (tracesSampleRate)",
              "INFO transaction not sampled: \"GET /orders\" trace " + TRACE + ", sample_rand 0.750000 >= 0.5 (tracesSampleRate)");
    }
  }

  @Test
  void transactionSampledBySampler() {
    Tracer tracer = debug().tracesSampler(context -> 0.3).build();
    PropagationContext parent = tracer.continueTrace(SAMPLED, "sentry-sample_rand=0.5");
    try (LogRecords log = capture()) {
      tracer.startTransaction("checkout", "task", parent);
      assertThat(log.lines())
          .containsExactly("INFO transaction not sampled: \"checkout\" trace " + TRACE + ", sample_rand 0.500000 >= 0.3 (tracesSampler)");
    }
  }

  @Test
  void transactionFollowsTheIncomingDecision() {
    Tracer tracer = debug().tracesSampleRate(1.0).build();
    PropagationContext parent = tracer.continueTrace(DEFERRED + "-0", "sentry-sample_rand=0.1");
    try (LogRecords log = capture()) {
      tracer.startTransaction("GET /orders", "http.server", parent);
      assertThat(log.lines())
          .containsExactly("INFO transaction not sampled: \"GET /orders\" trace " + TRACE + ", the incoming trace's decision (sampled=false); no rate applied");
    }
  }

  @Test
  void transactionNotRecordedWithTracingOff() {
    Tracer tracer = debug().build();
    PropagationContext parent = tracer.continueTrace(SAMPLED, "sentry-sample_rand=0.1");
    try (LogRecords log = capture()) {
      tracer.startTransaction("GET /orders", "http.server", parent);
      Span head = tracer.startTransaction("job", "task");
      assertThat(log.lines())
          .containsExactly(
              "INFO transaction not recorded: \"GET /orders\" trace " + TRACE
                  + ", tracing is off (no tracesSampleRate or tracesSampler); headers carry sampled=true",
              "INFO transaction not recorded: \"job\" trace " + head.traceId()
                  + ", tracing is off (no tracesSampleRate or tracesSampler); headers carry no decision (deferred)");
    }
  }

  // ---- outgoing (the HTTP client and the OpenTelemetry propagator report it) ----

  @Test
  void outgoingNamesTheTargetThatMatchedAndNeverTheQuery() {
    Tracer tracer =
        debug().tracePropagationTargets(List.of("localhost", "^https://api\\.example\\.com/.*", Pattern.compile("internal"))).build();
    try (LogRecords log = capture()) {
      tracer.decisionLog().outgoing("http://localhost:8080/a?token=secret", true);
      tracer.decisionLog().outgoing("https://api.example.com/v1?token=secret#frag", true);
      tracer.decisionLog().outgoing("http://svc.internal/x", true);
      tracer.decisionLog().outgoing("https://cdn.example.org/lib.js?token=secret", false);
      tracer.decisionLog().outgoing(null, true);
      assertThat(log.lines())
          .containsExactly(
              "INFO outgoing headers added: http://localhost:8080/a matches \"localhost\" (substring) of tracePropagationTargets",
              "INFO outgoing headers added: https://api.example.com/v1 matches /^https://api\\.example\\.com/.*/ (whole URL) of tracePropagationTargets",
              "INFO outgoing headers added: http://svc.internal/x matches /internal/ (find) of tracePropagationTargets",
              "INFO outgoing headers not added: https://cdn.example.org/lib.js matches none of tracePropagationTargets"
                  + " [\"localhost\", \"^https://api\\.example\\.com/.*\", /internal/]",
              "INFO outgoing headers added: no URL known; tracePropagationTargets not checked");
      assertThat(String.join("\n", log.lines())).doesNotContain("secret").doesNotContain("frag");
    }
  }

  @Test
  void outgoingWithTheDefaultTargetsAndALongUrl() {
    Tracer tracer = debug().build();
    try (LogRecords log = capture()) {
      tracer.decisionLog().outgoing("http://h/" + "p".repeat(5_000), true);
      assertThat(log.lines())
          .containsExactly("INFO outgoing headers added: http://h/" + "p".repeat(DecisionLog.MAX_URL_LENGTH - 9)
              + "... (tracePropagationTargets: all URLs)");
    }
  }

  // ---- export ----

  @Test
  void theTracersTransactionsCarryItsLogForTheExporter() {
    RecordingExporter exporter = new RecordingExporter();
    Tracer tracer = debug().tracesSampleRate(1.0).exporter(exporter).build();
    tracer.startTransaction("GET /orders", "http.server", tracer.continueTrace(SAMPLED, null)).finish();
    TransactionData tx = exporter.transactions().get(0);
    try (LogRecords log = capture()) {
      tx.decisionLog().envelopeSent(tx);
      tx.decisionLog().envelopeDropped(tx, "queue full (1000)");
      tx.decisionLog().envelopeDropped(null, null);
      assertThat(log.lines())
          .containsExactly(
              "INFO envelope sent: transaction \"GET /orders\" trace " + TRACE,
              "INFO envelope dropped: transaction \"GET /orders\" trace " + TRACE + ": queue full (1000)",
              "INFO envelope dropped: a transaction: no reason given");
    }
    assertThat(tx.decisionLog()).isSameAs(tracer.decisionLog());
  }

  @Test
  void transactionsMadeElsewhereReportToNoLogUnlessGivenOne() {
    TransactionData made =
        TransactionData.create(
            "job", TransactionNameSource.CUSTOM,
            SpanData.create(TraceId.fromHex(TRACE), SpanId.fromHex(PARENT), null, "task", "job", null, Map.of(),
                java.time.Instant.EPOCH, java.time.Instant.EPOCH),
            List.of(), Baggage.parse(""), null, null);
    Tracer tracer = debug().build();
    try (LogRecords log = capture()) {
      made.decisionLog().envelopeSent(made);
      made.withDecisionLog(tracer.decisionLog()).decisionLog().envelopeSent(made);
      assertThat(log.lines()).containsExactly("INFO envelope sent: transaction \"job\" trace " + TRACE);
    }
    assertThat(made.decisionLog()).isSameAs(DecisionLog.disabled());
  }

  // ---- off ----

  @Test
  void nothingIsLoggedWithTheSwitchOff() {
    try (LogRecords log = capture()) {
      RecordingExporter exporter = new RecordingExporter();
      Tracer tracer =
          Tracer.builder().tracesSampleRate(0.5).orgId("1").strictTraceContinuation(true).continueFromTraceparent(true)
              .tracePropagationTargets(List.of("localhost")).exporter(exporter).build();
      Tracer off = Tracer.builder().debug(false).build();
      for (Tracer t : List.of(tracer, off)) {
        t.continueTrace(null, null);
        t.continueTrace("nonsense", null);
        t.continueTrace(SAMPLED, "sentry-org_id=7");
        t.continueTrace(SAMPLED, "sentry-trace_id=" + TRACE);
        t.extract(Map.<String, String>of("traceparent", "00-" + TRACE + "-" + PARENT + "-01"), Map::get);
        t.startTransaction("a", "task", t.continueTrace(DEFERRED, "sentry-org_id=1,sentry-sample_rand=0.25")).finish();
        t.startTransaction("b", "task", t.continueTrace(DEFERRED, "sentry-org_id=1,sentry-sample_rand=0.75")).finish();
        t.startTransaction("c", "task").finish();
        t.decisionLog().outgoing("http://localhost/", true);
        t.decisionLog().outgoing("http://other/", false);
        t.decisionLog().incomingIgnored(null);
        t.decisionLog().corsPreflight("content-type");
        t.decisionLog().corsAnswer("content-type", "left alone");
      }
      for (TransactionData tx : exporter.transactions()) {
        tx.decisionLog().envelopeSent(tx);
        tx.decisionLog().envelopeDropped(tx, "queue full");
      }
      assertThat(exporter.transactions()).isNotEmpty();
      assertThat(tracer.decisionLog().isEnabled()).isFalse();
      assertThat(log.records()).isEmpty();
    }
  }
}
