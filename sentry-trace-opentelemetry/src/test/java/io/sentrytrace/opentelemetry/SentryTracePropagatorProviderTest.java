package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.sentrytrace.Baggage;
import io.sentrytrace.test.LogRecords;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class SentryTracePropagatorProviderTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";

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

  /**
   * Why the start failed. OpenTelemetry notes the failure itself (INFO, with its stack trace): that
   * note is kept off the console and checked.
   */
  private static Throwable failedStart(Map<String, String> properties) {
    try (LogRecords log = LogRecords.of(AutoConfiguredOpenTelemetrySdkBuilder.class)) {
      Throwable thrown = catchThrowable(() -> sdk(properties));
      assertThat(log.atLeast(Level.INFO)).isNotEmpty()
          .allSatisfy(m -> assertThat(m).contains("Error encountered during autoconfiguration"));
      return thrown;
    }
  }

  private static Map<String, String> inject(TextMapPropagator propagator, String url) {
    Map<String, String> out = new HashMap<>();
    SpanContext local = SpanContext.create(TRACE, "b0e6f15b45c36b12", TraceFlags.getSampled(), TraceState.getDefault());
    propagator.inject(Context.root().with(Span.wrap(local)), out, MapCarrier.SETTER);
    return out;
  }

  @Test
  void readsItsOptionsFromSentryTraceProperties() {
    try (OpenTelemetrySdk sdk = sdk(Map.of(
        "sentry-trace.dsn", "https://pk@o9.ingest.sentry.io/1",
        "sentry-trace.release", "svc@3",
        "sentry-trace.environment", "staging",
        "sentry-trace.traces-sample-rate", "0.25"))) {
      Map<String, String> out = inject(sdk.getPropagators().getTextMapPropagator(), null);
      assertThat(Baggage.parse(out.get("baggage")).sentryValues())
          .containsEntry("public_key", "pk").containsEntry("org_id", "9").containsEntry("release", "svc@3")
          .containsEntry("environment", "staging").containsEntry("sample_rate", "0.25");
      assertThat(out.get("traceparent")).isNotNull();
    }
  }

  @Test
  void strictTraceContinuationAndTargetsComeFromProperties() {
    try (OpenTelemetrySdk sdk = sdk(Map.of(
        "sentry-trace.dsn", "https://pk@o9.ingest.sentry.io/1",
        "sentry-trace.strict-trace-continuation", "true",
        "sentry-trace.trace-propagation-targets", "api.internal, ^https://other\\.example/.*"))) {
      Map<String, String> carrier = Map.of("sentry-trace", TRACE + "-b0e6f15b45c36b12-1", "baggage", "sentry-trace_id=" + TRACE);
      Context ctx = sdk.getPropagators().getTextMapPropagator().extract(Context.root(), carrier, MapCarrier.GETTER);
      assertThat(Span.fromContext(ctx).getSpanContext().isValid()).isFalse();
    }
    assertThat(SentryTraceConfig.splitTargets(" a, ,b ,")).containsExactly("a", "b");
    assertThat(SentryTraceConfig.splitTargets("")).isEmpty();
  }

  @Test
  void aRegexCutAtACommaFailsTheStartNamingThePropertyAndTheEscape() {
    for (String value : new String[] {
        "^https://[a-z]{2,8}\\.example\\.com/.*", "api.internal, ^https://(a|b,c)\\.example/.*", "[a,b].example"}) {
      assertThat(failedStart(Map.of("sentry-trace.trace-propagation-targets", value)))
          .as(value)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("sentry-trace.trace-propagation-targets")
          .hasMessageContaining("\\,");
    }
  }

  @Test
  void anEscapedCommaStaysInItsTarget() {
    assertThat(SentryTraceConfig.splitTargets("^https://[a-z]{2\\,8}\\.example\\.com/.*, api.internal"))
        .containsExactly("^https://[a-z]{2,8}\\.example\\.com/.*", "api.internal");
    try (OpenTelemetrySdk sdk = sdk(Map.of("sentry-trace.trace-propagation-targets", "^https://[a-z]{2\\,8}\\.example\\.com/.*"))) {
      TextMapPropagator propagator = sdk.getPropagators().getTextMapPropagator();
      for (String url : new String[] {"https://api.example.com/v1", "https://a.example.com/v1"}) {
        try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder()).build()) {
          Span client = provider.get("t").spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setAttribute("url.full", url).startSpan();
          Map<String, String> out = new HashMap<>();
          propagator.inject(Context.root().with(client), out, MapCarrier.SETTER);
          assertThat(out.containsKey("sentry-trace")).as(url).isEqualTo(url.contains("api."));
          client.end();
        }
      }
    }
    // Plain targets with a comma-free regex or none are as before.
    assertThat(SentryTraceConfig.splitTargets("localhost,^https://api\\.example\\.com/.*"))
        .containsExactly("localhost", "^https://api\\.example\\.com/.*");
  }

  @Test
  void aBadDsnFailsTheStartNamingTheProperty() {
    assertThat(failedStart(Map.of("sentry-trace.dsn", "not a dsn")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sentry-trace.dsn");
    assertThat(failedStart(Map.of("sentry-trace.traces-sample-rate", "2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("sentry-trace.traces-sample-rate");
  }
}
