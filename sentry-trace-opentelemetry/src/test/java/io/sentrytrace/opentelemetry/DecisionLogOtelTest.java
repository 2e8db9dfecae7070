package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sentrytrace.DecisionLog;
import io.sentrytrace.TransactionData;
import io.sentrytrace.Tracer;
import io.sentrytrace.testing.InMemorySpanExporter;
import io.sentrytrace.test.LogRecords;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sentry-trace.debug}: the propagator's decisions on the decision log, and silence without it. */
class DecisionLogOtelTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String PARENT = "b7ad6b7169203331";

  private static OpenTelemetrySdk sdk(Map<String, String> properties) {
    Map<String, String> all = new HashMap<>(Map.of(
        "otel.traces.exporter", "none", "otel.metrics.exporter", "none", "otel.logs.exporter", "none",
        "otel.propagators", "tracecontext,baggage,sentry-trace"));
    all.putAll(properties);
    // With a DSN the auto-configuration says what it set up (SentryTraceCustomizerProviderTest): kept off the console.
    try (LogRecords quiet = LogRecords.of(SentryTraceCustomizerProvider.class)) {
      return AutoConfiguredOpenTelemetrySdk.builder().addPropertiesSupplier(() -> all).disableShutdownHook().build().getOpenTelemetrySdk();
    }
  }

  /** Every kind of decision the propagator makes, once. */
  private static void decide(TextMapPropagator propagator) {
    propagator.extract(Context.root(), Map.of(), MapCarrier.GETTER);
    propagator.extract(Context.root(), Map.of("sentry-trace", "garbage"), MapCarrier.GETTER);
    propagator.extract(Context.root(), Map.of("sentry-trace", TRACE + "-" + PARENT + "-1", "baggage", "sentry-sample_rand=0.5"), MapCarrier.GETTER);
    propagator.extract(Context.root(), Map.of("sentry-trace", TRACE + "-" + PARENT, "baggage", "sentry-org_id=7"), MapCarrier.GETTER);
    // With a span processor, as SentryTracePropagatorTest: spans of a provider without one came out invalid here.
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder()).build()) {
      for (String url : new String[] {"https://api.internal/v1?token=secret", "https://third-party.example/v1?token=secret"}) {
        Span client = provider.get("t").spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setAttribute("url.full", url).startSpan();
        propagator.inject(Context.root().with(client), new HashMap<String, String>(), MapCarrier.SETTER);
        client.end();
      }
    }
  }

  @Test
  void theSwitchLogsEveryDecisionOfThePropagator() {
    try (LogRecords log = LogRecords.named(DecisionLog.LOGGER_NAME);
        OpenTelemetrySdk sdk = sdk(Map.of(
            "sentry-trace.debug", "true",
            "sentry-trace.dsn", "https://pk@o1.ingest.sentry.io/2",
            "sentry-trace.trace-propagation-targets", "api.internal"))) {
      decide(sdk.getPropagators().getTextMapPropagator());
      assertThat(log.lines())
          .containsExactly(
              "INFO decision log on: tracePropagationTargets [\"api.internal\"], tracesSampleRate (none), tracesSampler (none),"
                  + " org_id 1, strictTraceContinuation false",
              "INFO incoming not continued: no sentry-trace header",
              "INFO incoming refused (invalid header): sentry-trace \"garbage\"",
              "INFO incoming continued: trace " + TRACE + ", parent span " + PARENT + ", sampled=true, sample_rand 0.500000 (from baggage)",
              "INFO incoming refused (org mismatch): trace " + TRACE + ", baggage org_id 7, ours 1",
              "INFO outgoing headers added: https://api.internal/v1 matches \"api.internal\" (substring) of tracePropagationTargets",
              "INFO outgoing headers not added: https://third-party.example/v1 matches none of tracePropagationTargets [\"api.internal\"]");
    }
  }

  @Test
  void theSystemPropertyTurnsItOn() {
    String previous = System.getProperty("sentry-trace.debug");
    System.setProperty("sentry-trace.debug", "true");
    try (LogRecords log = LogRecords.named(DecisionLog.LOGGER_NAME); OpenTelemetrySdk sdk = sdk(Map.of())) {
      sdk.getPropagators().getTextMapPropagator().extract(Context.root(), Map.of(), MapCarrier.GETTER);
      assertThat(log.lines()).contains("INFO incoming not continued: no sentry-trace header");
    } finally {
      if (previous == null) System.clearProperty("sentry-trace.debug");
      else System.setProperty("sentry-trace.debug", previous);
    }
  }

  @Test
  void transactionsOfTheBridgeReportToTheTracersLog() {
    for (boolean debug : new boolean[] {true, false}) {
      LogRecords quiet = LogRecords.named(DecisionLog.LOGGER_NAME); // the tracer's start line
      Tracer tracer = Tracer.builder().debug(debug).build();
      InMemorySpanExporter transactions = new InMemorySpanExporter();
      SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(tracer).exporter(transactions).build();
      try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
        provider.get("t").spanBuilder("job").startSpan().end();
      }
      TransactionData tx = transactions.transactions().get(0);
      assertThat(tx.decisionLog()).isSameAs(debug ? tracer.decisionLog() : DecisionLog.disabled());
      quiet.close();
    }
  }

  @Test
  void nothingIsLoggedWithTheSwitchOffOrFalse() {
    for (Map<String, String> properties : java.util.List.of(
        Map.of("sentry-trace.trace-propagation-targets", "api.internal"),
        Map.of("sentry-trace.trace-propagation-targets", "api.internal", "sentry-trace.debug", "false"))) {
      try (LogRecords log = LogRecords.named(DecisionLog.LOGGER_NAME); OpenTelemetrySdk sdk = sdk(properties)) {
        decide(sdk.getPropagators().getTextMapPropagator());
        decide(SentryTracePropagator.create());
        assertThat(log.records()).as(properties.toString()).isEmpty();
      }
    }
  }
}
