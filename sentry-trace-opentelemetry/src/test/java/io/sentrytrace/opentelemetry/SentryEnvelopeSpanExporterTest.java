package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.sentry.JsonSerializer;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEnvelopeItem;
import io.sentry.SentryOptions;
import io.sentry.SpanStatus;
import io.sentry.TraceContext;
import io.sentry.protocol.SentrySpan;
import io.sentry.protocol.SentryTransaction;
import io.sentrytrace.TransactionData;
import io.sentrytrace.envelope.FakeSentry;
import io.sentrytrace.testing.InMemorySpanExporter;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SentryEnvelopeSpanExporterTest {
  private static final String TRACE_ID = "771a43a4192642f0b136d5159a501700";
  private static final String INCOMING_SPAN = "b0e6f15b45c36b12";
  private static final io.sentrytrace.Tracer TRACER = io.sentrytrace.Tracer.builder().dsn("https://key@o5.ingest.sentry.io/3").build();

  /** {@code |low 64 bits as a signed long| / 2^63}, truncated to six decimals, computed exactly. */
  private static String sampleRandOf(String traceId) {
    java.math.BigInteger low = new java.math.BigInteger(traceId.substring(16), 16);
    if (low.testBit(63)) low = low.subtract(java.math.BigInteger.ONE.shiftLeft(64)).abs();
    long micros = Math.min(low.multiply(java.math.BigInteger.valueOf(1_000_000)).shiftRight(63).longValueExact(), 999_999);
    return String.format(java.util.Locale.ROOT, "0.%06d", micros);
  }

  @Test
  void sendsTransactionsThatSentryJavaReadsBack() throws Exception {
    try (FakeSentry sentry = FakeSentry.start()) {
      SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(
          io.sentrytrace.Tracer.builder().dsn(sentry.dsn()).release("b@2").environment("test").build()).build();
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())
          .addSpanProcessor(SimpleSpanProcessor.create(exporter))
          .build();
      Tracer tracer = provider.get("test");
      Map<String, String> incoming = new HashMap<>();
      incoming.put("sentry-trace", TRACE_ID + "-" + INCOMING_SPAN + "-1");
      incoming.put("baggage", "sentry-trace_id=" + TRACE_ID + ",sentry-public_key=upstream,sentry-release=a%401,sentry-sample_rand=0.25,sentry-sample_rate=1,sentry-sampled=true");
      ContextPropagators propagators = ContextPropagators.create(TextMapPropagator.composite(SentryTracePropagator.create()));
      Context parent = propagators.getTextMapPropagator().extract(Context.root(), incoming, MapCarrier.GETTER);

      io.opentelemetry.api.trace.Span server = tracer.spanBuilder("GET /orders/42").setParent(parent).setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET").setAttribute("http.route", "/orders/{id}").setAttribute("url.path", "/orders/42")
          .setAttribute("http.response.status_code", 200L).startSpan();
      Context inServer = parent.with(server);
      io.opentelemetry.api.trace.Span client = tracer.spanBuilder("GET").setParent(inServer).setSpanKind(SpanKind.CLIENT)
          .setAttribute("http.request.method", "GET").setAttribute("url.full", "http://127.0.0.1:9/stock?sku=1")
          .setAttribute("http.response.status_code", 404L).startSpan();
      client.end();
      io.opentelemetry.api.trace.Span db = tracer.spanBuilder("SELECT shop").setParent(inServer).setSpanKind(SpanKind.CLIENT)
          .setAttribute("db.system.name", "postgresql").setAttribute("db.query.text", "SELECT * FROM orders WHERE id = ?").startSpan();
      io.opentelemetry.api.trace.Span nested = tracer.spanBuilder("render").setParent(inServer.with(db)).startSpan();
      nested.setStatus(StatusCode.ERROR, "boom");
      nested.end();
      db.end();
      io.opentelemetry.api.trace.Span late = tracer.spanBuilder("audit").setParent(inServer).startSpan();
      server.end();
      late.end(); // after its transaction was sent: goes out as one of its own

      List<FakeSentry.Request> requests = sentry.await(2, Duration.ofSeconds(10));
      assertThat(requests).hasSize(2);
      JsonSerializer serializer = new JsonSerializer(new SentryOptions());
      List<SentryTransaction> transactions = new ArrayList<>();
      List<TraceContext> dscs = new ArrayList<>();
      for (FakeSentry.Request request : requests) {
        SentryEnvelope envelope = serializer.deserializeEnvelope(new ByteArrayInputStream(request.body));
        dscs.add(envelope.getHeader().getTraceContext());
        for (SentryEnvelopeItem item : envelope.getItems()) transactions.add(item.getTransaction(serializer));
      }
      // The exporter sends several envelopes at once: they may arrive in either order.
      transactions.sort(java.util.Comparator.comparing(t -> "audit".equals(t.getTransaction())));
      SentryTransaction tx = transactions.get(0);
      assertThat(tx.getTransaction()).isEqualTo("GET /orders/{id}");
      assertThat(tx.getContexts().getTrace().getOperation()).isEqualTo("http.server");
      assertThat(tx.getContexts().getTrace().getTraceId().toString()).isEqualTo(TRACE_ID);
      assertThat(tx.getContexts().getTrace().getSpanId().toString()).isEqualTo(server.getSpanContext().getSpanId());
      assertThat(tx.getContexts().getTrace().getParentSpanId().toString()).isEqualTo(INCOMING_SPAN);
      assertThat(tx.getContexts().getTrace().getStatus()).isEqualTo(SpanStatus.OK);
      assertThat(tx.getRelease()).isEqualTo("b@2");
      Map<String, SentrySpan> byOp = tx.getSpans().stream().collect(Collectors.toMap(SentrySpan::getOp, s -> s));
      assertThat(byOp).containsOnlyKeys("http.client", "db", "default");
      assertThat(byOp.get("http.client").getDescription()).isEqualTo("GET http://127.0.0.1:9/stock");
      assertThat(byOp.get("http.client").getStatus()).isEqualTo(SpanStatus.NOT_FOUND);
      assertThat(byOp.get("http.client").getParentSpanId().toString()).isEqualTo(server.getSpanContext().getSpanId());
      assertThat(byOp.get("http.client").getData()).containsEntry("url.full", "http://127.0.0.1:9/stock?sku=1");
      assertThat(byOp.get("db").getDescription()).isEqualTo("SELECT * FROM orders WHERE id = ?");
      assertThat(byOp.get("default").getStatus()).isEqualTo(SpanStatus.INTERNAL_ERROR);
      assertThat(byOp.get("default").getParentSpanId().toString()).isEqualTo(db.getSpanContext().getSpanId());
      assertThat(tx.getContexts().getTrace().getData()).doesNotContainKey("sentry.baggage");

      SentryTransaction lateTx = transactions.get(1);
      assertThat(lateTx.getTransaction()).isEqualTo("audit");
      assertThat(lateTx.getContexts().getTrace().getParentSpanId().toString()).isEqualTo(server.getSpanContext().getSpanId());

      // Both carry the incoming DSC, as it came.
      for (TraceContext dsc : dscs) {
        assertThat(dsc.getTraceId().toString()).isEqualTo(TRACE_ID);
        assertThat(dsc.getPublicKey()).isEqualTo("upstream");
        assertThat(dsc.getRelease()).isEqualTo("a@1");
        assertThat(dsc.getSampleRand()).isEqualTo("0.25");
      }
      assertThat(exporter.droppedSpanCount()).isZero();
      provider.close();
    }
  }

  @Test
  void aTraceStartedHereCarriesTheHeadDsc() throws Exception {
    InMemorySpanExporter sink = new InMemorySpanExporter();
    io.sentrytrace.Tracer options = io.sentrytrace.Tracer.builder().dsn("https://key@o5.ingest.sentry.io/3")
        .release("r@1").environment("prod").tracesSampleRate(0.5).build();
    SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(options).exporter(sink).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      io.opentelemetry.api.trace.Span root = provider.get("t").spanBuilder("job").startSpan();
      root.end();
      TransactionData tx = sink.transactions().get(0);
      assertThat(tx.root().parentSpanId()).isNull();
      assertThat(tx.dynamicSamplingContext().sentryValues())
          .containsEntry("trace_id", root.getSpanContext().getTraceId())
          .containsEntry("public_key", "key")
          .containsEntry("org_id", "5")
          .containsEntry("release", "r@1")
          .containsEntry("environment", "prod")
          .containsEntry("sample_rate", "0.5")
          .containsEntry("sampled", "true")
          .containsEntry("sample_rand", sampleRandOf(root.getSpanContext().getTraceId()));
      // The DSC the propagator sends for the same span: one definition.
      Map<String, String> sent = new HashMap<>();
      SentryTracePropagator.create(options).inject(Context.root().with(root), sent, MapCarrier.SETTER);
      assertThat(io.sentrytrace.Baggage.parse(sent.get("baggage"))).isEqualTo(tx.dynamicSamplingContext());
      assertThat(tx.release()).isEqualTo("r@1");
    }
  }

  @Test
  void childrenWaitingForARootThatNeverEndsAreBoundedAndCounted() {
    InMemorySpanExporter sink = new InMemorySpanExporter();
    AtomicLong now = new AtomicLong();
    SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(TRACER)
        .exporter(sink).maxWaitingSpans(3).maxWait(Duration.ofSeconds(60)).nanoTime(now::get).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      Tracer tracer = provider.get("t");
      io.opentelemetry.api.trace.Span neverEnds = tracer.spanBuilder("root").startSpan();
      for (int i = 0; i < 5; i++) tracer.spanBuilder("child" + i).setParent(Context.root().with(neverEnds)).startSpan().end();
      assertThat(exporter.droppedSpanCount()).isEqualTo(2); // over the cap of 3

      now.addAndGet(Duration.ofSeconds(61).toNanos());
      io.opentelemetry.api.trace.Span other = tracer.spanBuilder("other").startSpan();
      other.end();
      assertThat(exporter.droppedSpanCount()).isEqualTo(5); // the three left waited too long
      assertThat(sink.transactions()).extracting(TransactionData::name).containsExactly("other");

      neverEnds.end(); // its children are gone: a transaction without spans, nothing sent twice
      assertThat(sink.transactions().get(1).spans()).isEmpty();
    }
    assertThat(exporter.shutdown().isSuccess()).isTrue();
  }

  @Test
  void maxWaitIsEnforcedOnATimerWhenNoOtherSpanArrives() throws Exception {
    InMemorySpanExporter sink = new InMemorySpanExporter();
    SentryEnvelopeSpanExporter exporter =
        SentryEnvelopeSpanExporter.builder(TRACER).exporter(sink).maxWait(Duration.ofMillis(300)).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      Tracer tracer = provider.get("t");
      io.opentelemetry.api.trace.Span neverEnds = tracer.spanBuilder("root").startSpan();
      for (int i = 0; i < 100; i++) tracer.spanBuilder("child" + i).setParent(Context.root().with(neverEnds)).startSpan().end();
      assertThat(exporter.droppedSpanCount()).isZero();
      Thread timer = Thread.getAllStackTraces().keySet().stream()
          .filter(t -> t.getName().equals("sentry-trace-span-wait")).findFirst().orElseThrow();
      assertThat(timer.isDaemon()).isTrue();

      // Nothing else arrives: the timer drops them (the deadline only bounds a hang).
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (exporter.droppedSpanCount() < 100 && System.nanoTime() < deadline) Thread.sleep(20);
      assertThat(exporter.droppedSpanCount()).isEqualTo(100);
      assertThat(sink.transactions()).isEmpty();
    }
  }

  @Test
  void flushDropsWhatWaitedTooLong() {
    InMemorySpanExporter sink = new InMemorySpanExporter();
    AtomicLong now = new AtomicLong();
    SentryEnvelopeSpanExporter exporter = SentryEnvelopeSpanExporter.builder(TRACER)
        .exporter(sink).maxWait(Duration.ofSeconds(60)).nanoTime(now::get).build();
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      io.opentelemetry.api.trace.Span root = provider.get("t").spanBuilder("root").startSpan();
      provider.get("t").spanBuilder("child").setParent(Context.root().with(root)).startSpan().end();
      assertThat(exporter.flush().isSuccess()).isTrue();
      assertThat(exporter.droppedSpanCount()).isZero();
      now.addAndGet(Duration.ofSeconds(60).toNanos());
      assertThat(exporter.flush().isSuccess()).isTrue();
      assertThat(exporter.droppedSpanCount()).isEqualTo(1);
    }
  }

  @Test
  void withoutADsnOrAnExporterTheBuilderSaysWhatIsMissing() {
    assertThatThrownBy(() -> SentryEnvelopeSpanExporter.builder(io.sentrytrace.Tracer.builder().build()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dsn");
  }

  @Test
  void shutdownCountsWhatStillWaits() {
    InMemorySpanExporter sink = new InMemorySpanExporter();
    SentryEnvelopeSpanExporter exporter =
        SentryEnvelopeSpanExporter.builder(TRACER).exporter(sink).build();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    io.opentelemetry.api.trace.Span root = provider.get("t").spanBuilder("root").startSpan();
    provider.get("t").spanBuilder("child").setParent(Context.root().with(root)).startSpan().end();
    provider.close();
    assertThat(exporter.droppedSpanCount()).isEqualTo(1);
    assertThat(sink.transactions()).isEmpty();
  }
}
