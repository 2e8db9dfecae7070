package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigProperties;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sentrytrace.Baggage;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.envelope.ReceivedEnvelope;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.sentrytrace.test.LogRecords;

/** The one switch: {@code sentry-trace.dsn} alone sets up propagation, export and sampling (issue 23). */
class SentryTraceCustomizerProviderTest {
  private FakeSentry sentry;
  private final AtomicReference<SpanExporter> exporter = new AtomicReference<>();
  private ConfigProperties config;
  private LogRecords log;

  @BeforeEach
  void start() throws Exception {
    sentry = FakeSentry.start();
    log = LogRecords.of(SentryTraceCustomizerProvider.class);
  }

  @AfterEach
  void stop() {
    log.close();
    sentry.close();
  }

  private OpenTelemetrySdk sdk(Map<String, String> properties) {
    AutoConfiguredOpenTelemetrySdk auto = AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> properties)
        .addSpanExporterCustomizer((e, c) -> {
          exporter.set(e);
          return e;
        })
        .addTracerProviderCustomizer((b, c) -> {
          config = c;
          return b;
        })
        .disableShutdownHook()
        .build();
    return auto.getOpenTelemetrySdk();
  }

  private Map<String, String> dsnOnly() {
    Map<String, String> p = new HashMap<>();
    p.put("sentry-trace.dsn", sentry.dsn());
    return p;
  }

  @Test
  void theDsnAloneSetsUpPropagationAndExportToSentry() throws Exception {
    try (LogRecords otel = LogRecords.named("io.opentelemetry")) {
      try (OpenTelemetrySdk sdk = sdk(dsnOnly())) {
        assertThat(config.getString("otel.propagators")).isEqualTo("tracecontext,baggage,sentry-trace");
        assertThat(config.getString("otel.traces.exporter")).isEqualTo("sentry-trace");
        assertThat(config.getString("otel.metrics.exporter")).isEqualTo("none");
        assertThat(config.getString("otel.logs.exporter")).isEqualTo("none");
        assertThat(sdk.getPropagators().getTextMapPropagator().fields()).contains("traceparent", "baggage", "sentry-trace");
        assertThat(exporter.get()).isInstanceOf(SentryEnvelopeSpanExporter.class);
        assertThat(shutdownHookOf((SentryEnvelopeSpanExporter) exporter.get())).as("the SDK's shutdown closes it, no hook of its own").isNull();

        Span server = sdk.getTracer("t").spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).startSpan();
        server.end();
      } // shutdown: the batch processor hands over its last spans, then the exporter sends them
      List<FakeSentry.Request> received = sentry.await(1, Duration.ofSeconds(5));
      assertThat(received).hasSize(1);
      assertThat(received.get(0).envelope().payload).containsEntry("transaction", "GET /checkout");
      assertThat(otel.atLeast(Level.WARNING)).as("no OTLP exporter tried localhost").isEmpty();
    }
    assertThat(log.lines()).singleElement().asString()
        .startsWith("INFO sentry-trace: sentry-trace.dsn is set; set otel.propagators=tracecontext,baggage,sentry-trace,"
            + " otel.traces.exporter=sentry-trace, otel.metrics.exporter=none, otel.logs.exporter=none;")
        .endsWith("sampler: OpenTelemetry's default (no sentry-trace.traces-sample-rate)");
  }

  @Test
  void withoutADsnNothingChanges() {
    Map<String, String> p = Map.of("otel.traces.exporter", "none", "otel.metrics.exporter", "none", "otel.logs.exporter", "none");
    try (OpenTelemetrySdk sdk = sdk(p)) {
      assertThat(config.getString("otel.propagators")).isNull();
      assertThat(sdk.getPropagators().getTextMapPropagator().fields()).doesNotContain("sentry-trace");
    }
    assertThat(log.lines()).isEmpty();
  }

  @Test
  void whatTheUserSetIsKept() {
    Map<String, String> p = dsnOnly();
    p.putAll(Map.of("otel.traces.exporter", "none", "otel.metrics.exporter", "none", "otel.traces.sampler", "always_off",
        "sentry-trace.traces-sample-rate", "0.5", "otel.propagators", "tracecontext,baggage,sentry-trace"));
    try (OpenTelemetrySdk sdk = sdk(p)) {
      assertThat(config.getString("otel.traces.exporter")).isEqualTo("none");
      assertThat(config.getString("otel.logs.exporter")).isEqualTo("none");
      assertThat(sdk.getSdkTracerProvider().getSampler().getDescription()).isEqualTo("AlwaysOffSampler");
    }
    assertThat(log.lines()).singleElement().asString()
        .isEqualTo("INFO sentry-trace: sentry-trace.dsn is set; set otel.logs.exporter=none; kept"
            + " otel.propagators=tracecontext,baggage,sentry-trace, otel.traces.exporter=none, otel.metrics.exporter=none;"
            + " kept otel.traces.sampler=always_off");
  }

  @Test
  void propagatorsWithoutSentryTraceAreKeptWithOneWarning() {
    Map<String, String> p = dsnOnly();
    p.put("otel.propagators", "tracecontext,baggage");
    try (OpenTelemetrySdk sdk = sdk(p)) {
      assertThat(sdk.getPropagators().getTextMapPropagator().fields()).doesNotContain("sentry-trace");
    }
    assertThat(log.atLeast(Level.WARNING)).singleElement().asString()
        .contains("otel.propagators=tracecontext,baggage does not list sentry-trace")
        .contains("traces will not continue from Sentry's sentry-trace and baggage headers");
  }

  @Test
  void theExporterByNameNeedsADsn() {
    Map<String, String> p = Map.of("otel.traces.exporter", "sentry-trace", "otel.metrics.exporter", "none", "otel.logs.exporter", "none");
    Throwable thrown;
    try (LogRecords quiet = LogRecords.of(AutoConfiguredOpenTelemetrySdkBuilder.class)) {
      thrown = catchThrowable(() -> sdk(p));
    }
    assertThat(thrown).isInstanceOf(ConfigurationException.class).hasMessageContaining("sentry-trace.dsn");
  }

  @Test
  void theExporterByNameTakesItsOptionsFromOpenTelemetryConfig() throws Exception {
    Map<String, String> p = Map.of("sentry-trace.dsn", sentry.dsn(), "sentry-trace.release", "shop@2",
        "sentry-trace.environment", "staging", "otel.traces.exporter", "sentry-trace");
    try (OpenTelemetrySdk sdk = sdk(p)) {
      sdk.getTracer("t").spanBuilder("job").startSpan().end();
    }
    ReceivedEnvelope envelope = sentry.await(1, Duration.ofSeconds(5)).get(0).envelope();
    assertThat(envelope.payload).containsEntry("release", "shop@2").containsEntry("environment", "staging");
    assertThat(envelope.dsc()).containsEntry("public_key", FakeSentry.PUBLIC_KEY).containsEntry("release", "shop@2");
  }

  /**
   * With a rate and no {@code otel.traces.sampler}, a trace this service starts is sampled exactly
   * when the DSC it sends says so: {@code sampled == sample_rand < sample_rate}, with {@code
   * sample_rand} read from the trace id; what it drops is counted in the client reports.
   */
  @Test
  void theSamplerAgreesWithTheDscAndCountsWhatItDrops() throws Exception {
    Map<String, String> p = dsnOnly();
    p.put("sentry-trace.traces-sample-rate", "0.25");
    int roots = 400;
    int kept = 0;
    List<String> keptTraces = new ArrayList<>();
    try (OpenTelemetrySdk sdk = sdk(p)) {
      assertThat(sdk.getSdkTracerProvider().getSampler().getDescription()).isEqualTo("SentryTraceSampler{rate=0.25}");
      Tracer tracer = sdk.getTracer("t");
      TextMapPropagator propagator = sdk.getPropagators().getTextMapPropagator();
      for (int i = 0; i < roots; i++) {
        Span root = tracer.spanBuilder("job " + i).startSpan();
        try (Scope s = root.makeCurrent()) {
          Span child = tracer.spanBuilder("step").startSpan();
          Map<String, String> headers = new HashMap<>();
          propagator.inject(Context.current().with(child), headers, MapCarrier.SETTER);
          Map<String, String> dsc = Baggage.parse(headers.get("baggage")).sentryValues();
          double rand = Double.parseDouble(dsc.get("sample_rand"));
          assertThat(dsc).containsEntry("sample_rate", "0.25").containsEntry("sampled", String.valueOf(root.getSpanContext().isSampled()));
          assertThat(rand < 0.25).as(dsc.toString()).isEqualTo(root.getSpanContext().isSampled());
          assertThat(child.getSpanContext().isSampled()).isEqualTo(root.getSpanContext().isSampled());
          assertThat(headers.get("sentry-trace")).endsWith(root.getSpanContext().isSampled() ? "-1" : "-0");
          child.end();
        }
        root.end();
        if (root.getSpanContext().isSampled()) {
          kept++;
          keptTraces.add(root.getSpanContext().getTraceId());
        }
      }
      assertThat(kept).as("about a quarter").isBetween(roots / 8, roots / 2);
    }
    // Closed: everything was sent (the client report rides with a transaction or comes last).
    List<FakeSentry.Request> received = sentry.await(kept, Duration.ofSeconds(5));
    Map<String, Long> discarded = new HashMap<>();
    List<String> sentTraces = new ArrayList<>();
    for (FakeSentry.Request r : received) {
      ReceivedEnvelope e = r.envelope();
      e.discarded().forEach((k, v) -> discarded.merge(k, v, Long::sum));
      if (e.payloads("transaction").isEmpty()) continue;
      Map<String, Object> dsc = e.dsc();
      sentTraces.add((String) dsc.get("trace_id"));
      assertThat(dsc).containsEntry("sample_rate", "0.25").containsEntry("sampled", "true");
      assertThat(Double.parseDouble((String) dsc.get("sample_rand")))
          .isLessThan(0.25)
          .isEqualTo(SentryTraceSampler.asSent(TraceIdSampleRand.of((String) dsc.get("trace_id"))));
      assertThat(e.spans()).hasSize(1);
    }
    assertThat(sentTraces).containsExactlyInAnyOrderElementsOf(keptTraces);
    // Only the roots count: a dropped child is part of its dropped transaction.
    assertThat(discarded).containsEntry("sample_rate/transaction", (long) (roots - kept)).containsEntry("sample_rate/span", (long) (roots - kept));
  }

  /** A continued trace whose decision was deferred is decided by rate with its incoming sample_rand. */
  @Test
  void aDeferredDecisionIsTakenWithTheIncomingSampleRand() throws Exception {
    Map<String, String> p = dsnOnly();
    p.put("sentry-trace.traces-sample-rate", "0.25");
    try (OpenTelemetrySdk sdk = sdk(p)) {
      TextMapPropagator propagator = sdk.getPropagators().getTextMapPropagator();
      for (String rand : List.of("0.100000", "0.900000")) {
        Map<String, String> in = Map.of(
            "sentry-trace", "771a43a4192642f0b136d5159a501700-b0e6f15b45c36b12",
            "baggage", "sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-sample_rand=" + rand + ",sentry-release=web@1");
        Context incoming = propagator.extract(Context.root(), in, MapCarrier.GETTER);
        Span server = sdk.getTracer("t").spanBuilder("GET /" + rand).setParent(incoming).setSpanKind(SpanKind.SERVER).startSpan();
        assertThat(server.getSpanContext().isSampled()).as(rand).isEqualTo(rand.equals("0.100000"));
        server.end();
      }
    }
    List<ReceivedEnvelope> received = new ArrayList<>();
    for (FakeSentry.Request r : sentry.await(1, Duration.ofSeconds(5))) received.add(r.envelope());
    List<ReceivedEnvelope> transactions = received.stream().filter(e -> !e.payloads("transaction").isEmpty()).toList();
    assertThat(transactions).singleElement().satisfies(tx -> {
      assertThat(tx.payload).containsEntry("transaction", "GET /0.100000");
      assertThat(tx.dsc()).as("the frozen incoming DSC").containsEntry("sample_rand", "0.100000").containsEntry("release", "web@1");
    });
    assertThat(received.stream().mapToLong(e -> e.discarded().getOrDefault("sample_rate/transaction", 0L)).sum()).isEqualTo(1);
  }

  /** The envelope exporter's own JVM hook, via reflection (package-private in the envelope module). */
  static Object shutdownHookOf(SentryEnvelopeSpanExporter exporter) throws ReflectiveOperationException {
    Field delegate = SentryEnvelopeSpanExporter.class.getDeclaredField("delegate");
    delegate.setAccessible(true);
    Object envelopes = delegate.get(exporter);
    Field hook = envelopes.getClass().getDeclaredField("shutdownHook");
    hook.setAccessible(true);
    return hook.get(envelopes);
  }
}
