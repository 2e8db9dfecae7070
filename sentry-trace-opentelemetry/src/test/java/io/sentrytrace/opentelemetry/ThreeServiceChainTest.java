package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.instrumentation.okhttp.v3_0.OkHttpTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sentrytrace.Baggage;
import io.sentrytrace.PropagationContext;
import io.sentrytrace.SentryTrace;
import io.sentrytrace.Span;
import io.sentrytrace.SpanData;
import io.sentrytrace.Tracer;
import io.sentrytrace.TransactionData;
import io.sentrytrace.okhttp.TracingInterceptor;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Call;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.sentrytrace.test.LogRecords;

/**
 * A (sentry-trace Tracer, OkHttp with TracingInterceptor) calls B (OpenTelemetry SDK from
 * autoconfigure with {@code otel.propagators=tracecontext,baggage,sentry-trace}, a server span
 * around its handler, OpenTelemetry's OkHttp instrumentation) calls C (sentry-trace Tracer,
 * continueTrace). All on 127.0.0.1, each service in its own tracer world.
 */
class ThreeServiceChainTest {
  private static final String DSN = "https://f00dcafe@o7.ingest.sentry.io/42";

  private final Map<String, Object> seen = new ConcurrentHashMap<>();
  private final InMemorySpanExporter aTransactions = new InMemorySpanExporter();
  private final InMemorySpanExporter bTransactions = new InMemorySpanExporter();
  private final InMemorySpanExporter cTransactions = new InMemorySpanExporter();
  private Tracer tracerA;
  private Tracer tracerC;
  private OpenTelemetrySdk otelB;
  private Loopback a;
  private Loopback b;
  private Loopback c;

  @BeforeEach
  void startServices() throws Exception {
    tracerC = Tracer.builder().dsn(DSN).release("c@1").tracesSampleRate(1.0).exporter(cTransactions).build();
    c = Loopback.serve(exchange -> {
      String sentryTrace = Loopback.header(exchange, "sentry-trace");
      String baggage = Loopback.header(exchange, "baggage");
      seen.put("c.sentry-trace", sentryTrace);
      seen.put("c.baggage", baggage);
      PropagationContext incoming = tracerC.continueTrace(sentryTrace, baggage);
      seen.put("c.incoming", incoming);
      tracerC.startTransaction("GET /c", "http.server", incoming).finish();
      return "c";
    });

    SentryEnvelopeSpanExporter exporterB =
        SentryEnvelopeSpanExporter.builder(Tracer.builder().dsn(DSN).release("b@1").build()).exporter(bTransactions).build();
    // The auto-configuration's INFO line (what it set up) is kept off the console.
    try (LogRecords quiet = LogRecords.of(SentryTraceCustomizerProvider.class)) {
    otelB =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> Map.of(
                "otel.propagators", "tracecontext,baggage,sentry-trace",
                "otel.traces.exporter", "none",
                "otel.metrics.exporter", "none",
                "otel.logs.exporter", "none",
                "otel.service.name", "b",
                "sentry-trace.dsn", DSN,
                "sentry-trace.release", "b@1"))
            .addTracerProviderCustomizer((provider, config) -> provider
                .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())
                .addSpanProcessor(SimpleSpanProcessor.create(exporterB)))
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    }
    Call.Factory clientB = OkHttpTelemetry.create(otelB).createCallFactory(new OkHttpClient());
    io.opentelemetry.api.trace.Tracer tracerB = otelB.getTracer("b");
    b = Loopback.serve(exchange -> {
      seen.put("b.baggage", Loopback.header(exchange, "baggage"));
      Context extracted =
          otelB.getPropagators().getTextMapPropagator().extract(Context.root(), exchange, Loopback.GETTER);
      io.opentelemetry.api.trace.Span server = tracerB.spanBuilder("GET /b").setParent(extracted)
          .setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET")
          .setAttribute("http.route", "/b")
          .startSpan();
      try (io.opentelemetry.context.Scope scope = extracted.with(server).makeCurrent();
          Response response = clientB.newCall(new Request.Builder().url(c.url("/c")).build()).execute()) {
        return response.body().string();
      } finally {
        server.end();
      }
    });

    tracerA = Tracer.builder().dsn(DSN).release("a@1").environment("test").tracesSampleRate(1.0).exporter(aTransactions).build();
    OkHttpClient clientA = TracingInterceptor.instrument(new OkHttpClient(), tracerA);
    a = Loopback.serve(exchange -> {
      Span tx = tracerA.startTransaction("GET /a", "http.server");
      seen.put("a.dsc", tx.dynamicSamplingContext());
      try (io.sentrytrace.Scope scope = tx.makeCurrent();
          Response response = clientA.newCall(new Request.Builder().url(b.url("/b")).build()).execute()) {
        return response.body().string();
      } finally {
        tx.finish();
      }
    });
  }

  @AfterEach
  void stop() {
    for (Loopback s : new Loopback[] {a, b, c}) if (s != null) s.close();
    if (otelB != null) otelB.close();
  }

  @Test
  void oneTraceFromAThroughTheOpenTelemetryServiceToC() throws Exception {
    try (Response response = new OkHttpClient().newCall(new Request.Builder().url(a.url("/a")).build()).execute()) {
      assertThat(response.body().string()).isEqualTo("c");
    }
    TransactionData txA = aTransactions.await(1, Duration.ofSeconds(5)).get(0);
    TransactionData txB = bTransactions.await(1, Duration.ofSeconds(5)).get(0);
    TransactionData txC = cTransactions.await(1, Duration.ofSeconds(5)).get(0);

    String traceId = txA.root().traceId().toString();
    assertThat(txB.root().traceId().toString()).isEqualTo(traceId);
    assertThat(txC.root().traceId().toString()).isEqualTo(traceId);

    // B continued A's client span, and C continued B's client span (OpenTelemetry's OkHttp span).
    SpanData aClient = txA.spans().get(0);
    assertThat(aClient.op()).isEqualTo("http.client");
    assertThat(txB.root().parentSpanId()).isEqualTo(aClient.spanId());
    assertThat(txB.spans()).hasSize(1);
    SpanData bClient = txB.spans().get(0);
    assertThat(bClient.op()).isEqualTo("http.client");
    assertThat(bClient.parentSpanId()).isEqualTo(txB.root().spanId());
    SentryTrace atC = SentryTrace.parse((String) seen.get("c.sentry-trace")).orElseThrow();
    assertThat(atC.spanId()).isEqualTo(bClient.spanId());
    assertThat(atC.sampled()).isTrue();
    assertThat(txC.root().parentSpanId()).isEqualTo(bClient.spanId());

    // The DSC A froze arrives unchanged at C, and B reports it in its envelope header.
    Baggage dscA = (Baggage) seen.get("a.dsc");
    assertThat(dscA.get("release")).isEqualTo("a@1");
    assertThat(Baggage.parse((String) seen.get("b.baggage"))).isEqualTo(dscA);
    assertThat(Baggage.parse((String) seen.get("c.baggage"))).isEqualTo(dscA);
    assertThat(((PropagationContext) seen.get("c.incoming")).frozenDynamicSamplingContext()).isEqualTo(dscA);
    assertThat(txB.dynamicSamplingContext()).isEqualTo(dscA);
    assertThat(txC.dynamicSamplingContext()).isEqualTo(dscA);
    // Each Sentry member once: W3C baggage and ours both ran on B's outgoing call.
    List<String> members = List.of(((String) seen.get("c.baggage")).split(","));
    assertThat(members).doesNotHaveDuplicates().hasSize(dscA.sentryValues().size());
  }

  @Test
  void theSentryTracePropagatorIsLoadedByName() {
    assertThat(otelB.getPropagators().getTextMapPropagator().fields())
        .contains("traceparent", "baggage", "sentry-trace");
  }
}
