package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.sentry.ISpan;
import io.sentry.ITransaction;
import io.sentry.NoOpLogger;
import io.sentry.Sentry;
import io.sentry.SentryOptions;
import io.sentry.TransactionOptions;
import io.sentrytrace.Baggage;
import io.sentrytrace.SpanId;
import io.sentrytrace.TraceId;
import io.sentrytrace.envelope.FakeSentry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * sentry-java 8.62.0 and this propagator agree on the same headers, both ways: what we inject,
 * sentry-java continues with the same trace, parent, decision and DSC; what a sentry-java
 * transaction sends, we extract to the same.
 */
class SentryJavaAgreementTest {
  private static final int CASES = 60;
  private static FakeSentry fakeSentry;

  @BeforeAll
  static void initSentryJava() throws Exception {
    fakeSentry = FakeSentry.start();
  }

  @AfterAll
  static void closeSentryJava() {
    Sentry.close();
    fakeSentry.close();
  }

  private static SentryOptions options() {
    SentryOptions options = new SentryOptions();
    options.setDsn(fakeSentry.dsn());
    return options;
  }

  @Test
  void sentryJavaContinuesWhatWeInjectAsTheHead() {
    Random random = new Random(13);
    for (int i = 0; i < CASES; i++) {
      double rate = random.nextInt(101) / 100.0;
      SentryTracePropagator propagator = SentryTracePropagator.create(io.sentrytrace.Tracer.builder()
          .dsn("https://k" + i + "@o" + (i + 1) + ".ingest.sentry.io/" + (i + 2))
          .release("shop@1." + i).environment(i % 2 == 0 ? "prod" : "staging").tracesSampleRate(rate).build());
      try (SdkTracerProvider provider = SdkTracerProvider.builder()
          .setSampler(Sampler.traceIdRatioBased(rate))
          .addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder()) // without any, the SDK is a no-op
          .build()) {
        io.opentelemetry.api.trace.Span span = provider.get("t").spanBuilder("GET /").startSpan();
        Map<String, String> headers = new HashMap<>();
        propagator.inject(Context.root().with(span), headers, MapCarrier.SETTER);
        span.end();

        SpanContext ours = span.getSpanContext();
        assertThat(ours.isValid()).isTrue();
        io.sentry.PropagationContext theirs =
            io.sentry.PropagationContext.fromHeaders(NoOpLogger.getInstance(), headers.get("sentry-trace"), headers.get("baggage"), options());
        assertThat(theirs.getTraceId().toString()).as("case %d: %s", i, headers).isEqualTo(ours.getTraceId());
        assertThat(theirs.getParentSpanId().toString()).isEqualTo(ours.getSpanId());
        assertThat(theirs.isSampled()).isEqualTo(ours.isSampled());
        io.sentry.Baggage dsc = theirs.getBaggage();
        assertThat(dsc.getTraceId()).isEqualTo(ours.getTraceId());
        assertThat(dsc.getPublicKey()).isEqualTo("k" + i);
        assertThat(dsc.getOrgId()).isEqualTo(String.valueOf(i + 1));
        assertThat(dsc.getRelease()).isEqualTo("shop@1." + i);
        assertThat(dsc.getSampleRate()).isEqualTo(rate);
        assertThat(dsc.getSampled()).isEqualTo(Boolean.toString(ours.isSampled()));
        // The sample_rand we derive from the trace id agrees with OpenTelemetry's ratio sampler.
        assertThat(theirs.getSampleRand() < rate).as("sample_rand %s at rate %s", theirs.getSampleRand(), rate)
            .isEqualTo(ours.isSampled());
      }
    }
  }

  @Test
  void weAndSentryJavaContinueTheSameIncomingHeaders() {
    Random random = new Random(17);
    SentryTracePropagator propagator = SentryTracePropagator.create();
    for (int i = 0; i < CASES; i++) {
      Boolean sampled = i % 3 == 0 ? null : i % 3 == 1;
      TraceId traceId = TraceId.random();
      SpanId spanId = SpanId.random();
      Map<String, String> dsc = new LinkedHashMap<>();
      dsc.put("trace_id", traceId.toString());
      dsc.put("public_key", "key" + i);
      dsc.put("release", "app@" + random.nextInt(100) + " (build " + i + ")");
      dsc.put("environment", "env,with=odd;chars " + i);
      dsc.put("sample_rate", "0.5");
      dsc.put("sample_rand", String.format(java.util.Locale.ROOT, "%.6f", random.nextInt(1_000_000) / 1e6));
      if (sampled != null) dsc.put("sampled", sampled.toString());
      Map<String, String> incoming = new HashMap<>();
      incoming.put("sentry-trace", traceId + "-" + spanId + (sampled == null ? "" : sampled ? "-1" : "-0"));
      incoming.put("baggage", "other=1," + Baggage.of(dsc).toHeader());

      io.sentry.PropagationContext theirs =
          io.sentry.PropagationContext.fromHeaders(NoOpLogger.getInstance(), incoming.get("sentry-trace"), incoming.get("baggage"), options());
      Context extracted = propagator.extract(Context.root(), incoming, MapCarrier.GETTER);
      SpanContext remote = io.opentelemetry.api.trace.Span.fromContext(extracted).getSpanContext();
      Incoming ours = extracted.get(SentryTracePropagator.INCOMING);

      assertThat(remote.getTraceId()).as("case %d", i).isEqualTo(theirs.getTraceId().toString());
      assertThat(remote.getSpanId()).isEqualTo(theirs.getParentSpanId().toString());
      assertThat(remote.isRemote()).isTrue();
      assertThat(ours.sampled()).isEqualTo(theirs.isSampled());
      assertThat(remote.isSampled()).isEqualTo(Boolean.TRUE.equals(theirs.isSampled()));
      assertThat(ours.context().sampleRand()).isEqualTo(theirs.getSampleRand());
      assertSameDsc(ours.dsc(), theirs.getBaggage());

      // What we then send on, sentry-java continues with our span as the parent and the same DSC.
      io.opentelemetry.api.trace.Span local = io.opentelemetry.api.trace.Span.wrap(SpanContext.create(
          remote.getTraceId(), SpanId.random().toString(), remote.getTraceFlags(), remote.getTraceState()));
      Map<String, String> outgoing = new HashMap<>();
      propagator.inject(extracted.with(local), outgoing, MapCarrier.SETTER);
      io.sentry.PropagationContext next =
          io.sentry.PropagationContext.fromHeaders(NoOpLogger.getInstance(), outgoing.get("sentry-trace"), outgoing.get("baggage"), options());
      assertThat(next.getTraceId().toString()).isEqualTo(remote.getTraceId());
      assertThat(next.getParentSpanId().toString()).isEqualTo(local.getSpanContext().getSpanId());
      assertThat(next.isSampled()).isEqualTo(theirs.isSampled());
      assertSameDsc(Baggage.parse(outgoing.get("baggage")), next.getBaggage());
      assertSameDsc(ours.dsc(), next.getBaggage());
    }
  }

  @Test
  void weExtractWhatASentryJavaTransactionSends() {
    double[] rates = {1.0, 0.0, 0.5, 0.25, 1.0, 0.0};
    SentryTracePropagator propagator = SentryTracePropagator.create();
    for (int i = 0; i < rates.length; i++) {
      double rate = rates[i];
      String release = "svc@" + i;
      Sentry.init(o -> {
        o.setDsn(fakeSentry.dsn());
        o.setTracesSampleRate(rate);
        o.setRelease(release);
        o.setEnvironment("env" + release.length());
        o.setSendClientReports(false);
      });
      TransactionOptions options = new TransactionOptions();
      options.setBindToScope(true);
      ITransaction tx = Sentry.startTransaction("GET /orders/{id}", "http.server", options);
      Map<String, String> fromScope = new HashMap<>();
      fromScope.put("sentry-trace", Sentry.getTraceparent().getValue());
      fromScope.put("baggage", Sentry.getBaggage().getValue());
      ISpan child = tx.startChild("http.client", "GET /x");
      Map<String, String> headers = new HashMap<>();
      headers.put("sentry-trace", child.toSentryTrace().getValue());
      headers.put("baggage", child.toBaggageHeader(null).getValue());
      child.finish();
      tx.finish();

      for (Map<String, String> sent : java.util.List.of(headers, fromScope)) {
        io.sentry.SentryTraceHeader traceHeader = sentTraceHeader(sent.get("sentry-trace"));
        Context extracted = propagator.extract(Context.root(), sent, MapCarrier.GETTER);
        SpanContext remote = io.opentelemetry.api.trace.Span.fromContext(extracted).getSpanContext();
        Incoming ours = extracted.get(SentryTracePropagator.INCOMING);
        assertThat(remote.getTraceId()).as("rate %s", rate).isEqualTo(tx.getSpanContext().getTraceId().toString());
        assertThat(remote.getSpanId()).isEqualTo(traceHeader.getSpanId().toString());
        assertThat(ours.sampled()).isEqualTo(tx.isSampled());
        assertThat(remote.isSampled()).isEqualTo(Boolean.TRUE.equals(tx.isSampled()));
        io.sentry.Baggage theirs = io.sentry.Baggage.fromHeader(sent.get("baggage"));
        assertSameDsc(ours.dsc(), theirs);
        assertThat(ours.dsc().get("release")).isEqualTo(release);
        assertThat(ours.context().sampleRand()).isEqualTo(theirs.getSampleRand());
      }
      assertThat(sentTraceHeader(fromScope.get("sentry-trace")).getSpanId()).isEqualTo(tx.getSpanContext().getSpanId());
      assertThat(sentTraceHeader(headers.get("sentry-trace")).getSpanId()).isEqualTo(child.getSpanContext().getSpanId());
      Sentry.close();
    }
  }

  private static io.sentry.SentryTraceHeader sentTraceHeader(String value) {
    try {
      return new io.sentry.SentryTraceHeader(value);
    } catch (io.sentry.exception.InvalidSentryTraceHeaderException e) {
      throw new AssertionError(e);
    }
  }

  private static Double number(String value) {
    return value == null ? null : Double.valueOf(value);
  }

  /** The same Sentry members, compared as the strings each side decoded. */
  private static void assertSameDsc(Baggage ours, io.sentry.Baggage theirs) {
    // sentry-java keeps the rate and rand as numbers: compare those as numbers.
    Map<String, String> theirValues = new LinkedHashMap<>();
    for (String key : new String[] {"trace_id", "public_key", "release", "environment", "transaction", "sampled", "org_id"}) {
      String v = theirs.get("sentry-" + key);
      if (v != null) theirValues.put(key, v);
    }
    Map<String, String> ourValues = new LinkedHashMap<>(ours.sentryValues());
    assertThat(number(ourValues.remove("sample_rate"))).isEqualTo(theirs.getSampleRate());
    assertThat(number(ourValues.remove("sample_rand"))).isEqualTo(theirs.getSampleRand());
    assertThat(ourValues).containsExactlyInAnyOrderEntriesOf(theirValues);
  }
}
