package io.sentrytrace.jmh;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.sentrytrace.Tracer;
import io.sentrytrace.envelope.EnvelopeExporter;
import io.sentrytrace.opentelemetry.SentryEnvelopeSpanExporter;
import io.sentrytrace.opentelemetry.SentryTracePropagator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The OpenTelemetry exporter's work for the transaction of {@link EnvelopeBenchmark} (an {@code
 * http.server} span continued from a browser, an {@code http.client} child and a {@code db} child:
 * three spans), given as the SDK's {@link SpanData}: {@link SentryEnvelopeSpanExporter#export}
 * assembles the transaction from the batch and hands it to the same {@link EnvelopeExporter}
 * (counting transport, flushed after every {@value EnvelopeBenchmark#BATCH}). Per transaction;
 * divide by three for a span. The exporter remembers recently sent span ids (to attach late
 * children), so the op cycles through {@value #DISTINCT} distinct transactions, more than it
 * remembers: every export is a new transaction to it, as in a service. Beside {@code EnvelopeBenchmark.envelope_ours}, the same transaction
 * from sentry-trace's own tracer, so the difference is the mapping from OpenTelemetry's spans.
 */
@org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(Defaults.FORKS)
@Warmup(iterations = Defaults.WARMUP_ITERATIONS, time = Defaults.SECONDS)
@Measurement(iterations = Defaults.MEASUREMENT_ITERATIONS, time = Defaults.SECONDS)
public class OtelSpanExportBenchmark {
  private static final TextMapGetter<Map<String, String>> MAP = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(Map<String, String> carrier) {
      return carrier.keySet();
    }

    @Override
    public String get(Map<String, String> carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  /** 3 x 16,384 span ids: more than the 40,000 the exporter remembers by default. */
  static final int DISTINCT = 16_384;

  List<List<SpanData>> transactions;
  int next;
  EnvelopeBenchmark.CountingTransport transport;
  EnvelopeExporter envelopes;
  SentryEnvelopeSpanExporter exporter;

  @Setup(Level.Trial)
  public void setUp() {
    Tracer options = Tracer.builder().dsn(EnvelopeBenchmark.DSN).tracesSampleRate(1.0).release("shop@1.4.0")
        .environment("production").build();
    transactions = otelTransactions(options, DISTINCT);
    transport = new EnvelopeBenchmark.CountingTransport();
    envelopes = EnvelopeExporter.builder(EnvelopeBenchmark.DSN).transport(transport).shutdownHook(false).build();
    exporter = SentryEnvelopeSpanExporter.builder(options).exporter(envelopes).build();
    exporter.export(transactions.get(DISTINCT - 1));
    if (!envelopes.flush(Duration.ofSeconds(10)) || transport.bytes() == 0) {
      throw new IllegalStateException("the transaction was not sent: " + envelopes);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    exporter.shutdown().join(10, TimeUnit.SECONDS);
    envelopes.close();
  }

  /** {@code count} transactions of three spans each, as the SDK hands them to an exporter (children first). */
  static List<List<SpanData>> otelTransactions(Tracer options, int count) {
    List<SpanData> ended = new ArrayList<>();
    SpanExporter collect = new SpanExporter() {
      @Override
      public CompletableResultCode export(Collection<SpanData> spans) {
        ended.addAll(spans);
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
    try (SdkTracerProvider provider = SdkTracerProvider.builder()
        .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder())
        .addSpanProcessor(SimpleSpanProcessor.create(collect))
        .build()) {
      io.opentelemetry.api.trace.Tracer tracer = provider.get("jmh");
      Context incoming = SentryTracePropagator.create(options).extract(Context.root(),
          Map.of("sentry-trace", Inputs.SENTRY_TRACE_SAMPLED, "baggage", EnvelopeBenchmark.BAGGAGE), MAP);
      for (int i = 0; i < count; i++) transaction(tracer, incoming);
    }
    List<List<SpanData>> transactions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) transactions.add(List.copyOf(ended.subList(3 * i, 3 * i + 3)));
    if (ended.size() != 3 * count) throw new IllegalStateException("expected " + 3 * count + " spans, got " + ended.size());
    return transactions;
  }

  private static void transaction(io.opentelemetry.api.trace.Tracer tracer, Context incoming) {
    Span server = tracer.spanBuilder("GET /checkout").setSpanKind(SpanKind.SERVER).setParent(incoming)
        .setAttribute("http.request.method", "GET").setAttribute("url.path", "/checkout")
        .setAttribute("url.query", "cart=42").setAttribute("url.scheme", "http").startSpan();
    try (Scope ignored = server.makeCurrent()) {
      Span client = tracer.spanBuilder("POST").setSpanKind(SpanKind.CLIENT)
          .setAttribute("http.request.method", "POST").setAttribute("url.full", "http://127.0.0.1:8081/reserve?sku=A-1234&qty=2")
          .setAttribute(AttributeKey.longKey("http.response.status_code"), 200L).startSpan();
      client.end();
      Span db = tracer.spanBuilder("SELECT items").setSpanKind(SpanKind.CLIENT)
          .setAttribute("db.system", "postgresql").setAttribute("db.statement", "SELECT stock FROM items WHERE sku = ?")
          .startSpan();
      db.end();
    }
    server.setAttribute(AttributeKey.longKey("http.response.status_code"), 200L).setStatus(StatusCode.UNSET);
    server.end();
  }

  @Benchmark
  @OperationsPerInvocation(EnvelopeBenchmark.BATCH)
  public long export_otelSpans() {
    for (int i = 0; i < EnvelopeBenchmark.BATCH; i++) {
      exporter.export(transactions.get(next));
      next = next + 1 == DISTINCT ? 0 : next + 1;
    }
    if (!envelopes.flush(Duration.ofSeconds(10))) throw new IllegalStateException("not flushed: " + envelopes);
    return transport.bytes();
  }
}
