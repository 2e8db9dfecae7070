package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.sentrytrace.Baggage;
import io.sentrytrace.Tracer;
import io.sentrytrace.test.LogRecords;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SentryTracePropagatorTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700";
  private static final String SPAN = "b0e6f15b45c36b12";
  private static final String DSC = "sentry-trace_id=" + TRACE + ",sentry-public_key=k,sentry-org_id=1,sentry-sample_rand=0.5,sentry-sample_rate=1,sentry-sampled=true";

  private final SentryTracePropagator propagator = SentryTracePropagator.create(Tracer.builder().dsn("https://k@o1.ingest.sentry.io/2").build());

  private static Map<String, String> headers(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  private Context extract(TextMapPropagator p, Map<String, String> carrier) {
    return p.extract(Context.root(), carrier, MapCarrier.GETTER);
  }

  @Test
  void continuesAValidHeaderAsTheRemoteParent() {
    Context ctx = extract(propagator, headers("sentry-trace", TRACE + "-" + SPAN + "-1", "baggage", DSC));
    SpanContext remote = Span.fromContext(ctx).getSpanContext();
    assertThat(remote.getTraceId()).isEqualTo(TRACE);
    assertThat(remote.getSpanId()).isEqualTo(SPAN);
    assertThat(remote.isRemote()).isTrue();
    assertThat(remote.isSampled()).isTrue();
    assertThat(ctx.get(SentryTracePropagator.INCOMING).dsc()).isEqualTo(Baggage.parse(DSC));
  }

  @Test
  void leavesTheContextAloneForBadInput() {
    for (String bad : Arrays.asList("", "nonsense", TRACE + "-" + SPAN + "-2", TRACE.replace('7', 'g') + "-" + SPAN,
        "00000000000000000000000000000000-" + SPAN + "-1", TRACE + "-" + SPAN + "-1-extra", "x".repeat(100_000))) {
      Context ctx = extract(propagator, headers("sentry-trace", bad, "baggage", "sentry-trace_id=%zz,,=,;;"));
      assertThat(ctx).as(bad.length() > 60 ? "long" : bad).isSameAs(Context.root());
    }
    assertThat(propagator.extract(Context.root(), null, MapCarrier.GETTER)).isSameAs(Context.root());
    assertThat(propagator.extract(Context.root(), headers(), null)).isSameAs(Context.root());
  }

  @Test
  void refusesAnotherOrgsTraceAndItsTraceparent() {
    TextMapPropagator both = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), propagator);
    Context ctx = extract(both, headers(
        "traceparent", "00-" + TRACE + "-" + SPAN + "-01",
        "sentry-trace", TRACE + "-" + SPAN + "-1",
        "baggage", DSC.replace("sentry-org_id=1", "sentry-org_id=99")));
    assertThat(Span.fromContext(ctx).getSpanContext().isValid()).isFalse();
    assertThat(ctx.get(SentryTracePropagator.INCOMING)).isNull();
  }

  @Test
  void anOrgIdBeyondTheHeadersReadLimitDecidesNothing() {
    String pastTheLimit = "x=y,".repeat(33_000 / 4);
    // Another org's trace with our org id appended beyond 8,192 chars: refused, and nothing sent on.
    Context foreign = extract(propagator, headers("sentry-trace", TRACE + "-" + SPAN + "-1",
        "baggage", "sentry-org_id=999," + pastTheLimit + "sentry-org_id=1"));
    assertThat(Span.fromContext(foreign).getSpanContext().isValid()).isFalse();
    Map<String, String> out = new HashMap<>();
    propagator.inject(foreign, out, MapCarrier.SETTER);
    assertThat(out).isEmpty();
    // Our own org's trace with another org id appended there: continued, and sent on with its DSC.
    Context ours = extract(propagator, headers("sentry-trace", TRACE + "-" + SPAN + "-1",
        "baggage", "sentry-org_id=1,sentry-sample_rand=0.5," + pastTheLimit + "sentry-org_id=999"));
    assertThat(Span.fromContext(ours).getSpanContext().isValid()).isTrue();
    propagator.inject(ours.with(Span.wrap(SpanContext.create(TRACE, "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault()))),
        out, MapCarrier.SETTER);
    assertThat(out.get("sentry-trace")).isEqualTo(TRACE + "-1111111111111111-1");
    assertThat(Baggage.parse(out.get("baggage")).sentryValues()).containsEntry("org_id", "1").containsEntry("sample_rand", "0.5");
  }

  @Test
  void strictContinuationRefusesATraceWithoutOrg() {
    SentryTracePropagator strict = SentryTracePropagator.create(
        Tracer.builder().dsn("https://k@o1.ingest.sentry.io/2").strictTraceContinuation(true).build());
    Map<String, String> carrier = headers("sentry-trace", TRACE + "-" + SPAN + "-1", "baggage", "sentry-trace_id=" + TRACE);
    assertThat(Span.fromContext(extract(strict, carrier)).getSpanContext().isValid()).isFalse();
    assertThat(Span.fromContext(extract(propagator, carrier)).getSpanContext().isValid()).isTrue();
  }

  @Test
  void aDeferredDecisionIsANotSampledParentAndStaysDeferredDownstream() {
    Context ctx = extract(propagator, headers("sentry-trace", TRACE + "-" + SPAN, "baggage", DSC));
    assertThat(Span.fromContext(ctx).getSpanContext().isSampled()).isFalse();
    assertThat(ctx.get(SentryTracePropagator.INCOMING).sampled()).isNull();
    Map<String, String> out = new HashMap<>();
    propagator.inject(ctx, out, MapCarrier.SETTER);
    assertThat(out.get("sentry-trace")).isEqualTo(TRACE + "-" + SPAN);

    // A refused decision is passed on as refused.
    Context notSampled = extract(propagator, headers("sentry-trace", TRACE + "-" + SPAN + "-0", "baggage", DSC));
    out.clear();
    propagator.inject(notSampled, out, MapCarrier.SETTER);
    assertThat(out.get("sentry-trace")).isEqualTo(TRACE + "-" + SPAN + "-0");
  }

  @Test
  void keepsTheTracestateOfAW3cParentOfTheSameTrace() {
    TextMapPropagator both = TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), propagator);
    Context ctx = extract(both, headers("traceparent", "00-" + TRACE + "-" + SPAN + "-01", "tracestate", "vendor=v1",
        "sentry-trace", TRACE + "-" + SPAN + "-1"));
    assertThat(Span.fromContext(ctx).getSpanContext().getTraceState().get("vendor")).isEqualTo("v1");
  }

  @Test
  void mergesWithW3cBaggageInEitherOrderWithoutDuplicatesOrGrowth() {
    Map<String, String> incoming = headers("sentry-trace", TRACE + "-" + SPAN + "-1", "baggage", "vendor=a%20b," + DSC + ",other=2;prop=1");
    for (List<TextMapPropagator> order : List.of(
        List.of(W3CBaggagePropagator.getInstance(), propagator), List.of(propagator, W3CBaggagePropagator.getInstance()))) {
      TextMapPropagator composite = TextMapPropagator.composite(order);
      Context ctx = extract(composite, incoming);
      Map<String, String> out = new HashMap<>();
      composite.inject(ctx, out, MapCarrier.SETTER);
      String first = out.get("baggage");
      composite.inject(ctx, out, MapCarrier.SETTER); // twice on the same carrier
      assertThat(out.get("baggage")).isEqualTo(first);
      List<String> members = Arrays.asList(first.split(","));
      assertThat(members).doesNotHaveDuplicates().hasSize(8);
      assertThat(Baggage.parse(first)).isEqualTo(Baggage.parse(DSC));
      assertThat(members).contains("vendor=a%20b", "other=2;prop=1");
    }
  }

  @Test
  void writesTheHeadDscForATraceStartedHere() {
    SentryTracePropagator configured = SentryTracePropagator.create(Tracer.builder().dsn("https://pk@o3.ingest.sentry.io/4")
        .release("svc@1").environment("prod").tracesSampleRate(1.0).build());
    SpanContext local = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
    Map<String, String> out = new HashMap<>();
    configured.inject(Context.root().with(Span.wrap(local)), out, MapCarrier.SETTER);
    assertThat(out.get("sentry-trace")).isEqualTo(TRACE + "-" + SPAN + "-1");
    assertThat(Baggage.parse(out.get("baggage")).sentryValues()).containsExactly(
        Map.entry("trace_id", TRACE), Map.entry("public_key", "pk"), Map.entry("release", "svc@1"),
        Map.entry("environment", "prod"), Map.entry("sample_rate", "1"),
        // |0xb136d5159a501700 as a signed long| / 2^63, as TraceIdRatioBased reads the trace id
        Map.entry("sample_rand", "0.615514"), Map.entry("sampled", "true"), Map.entry("org_id", "3"));
  }

  @Test
  void aContinuedTraceKeepsItsFrozenDscWhateverThisServiceIsConfiguredWith() {
    SentryTracePropagator configured =
        SentryTracePropagator.create(Tracer.builder().dsn("https://pk@o1.ingest.sentry.io/4").release("mine").build());
    Context ctx = extract(configured, headers("sentry-trace", TRACE + "-" + SPAN + "-1", "baggage", DSC));
    Map<String, String> out = new HashMap<>();
    configured.inject(ctx.with(Span.wrap(SpanContext.create(TRACE, "1111111111111111", TraceFlags.getSampled(), TraceState.getDefault()))),
        out, MapCarrier.SETTER);
    assertThat(Baggage.parse(out.get("baggage"))).isEqualTo(Baggage.parse(DSC));
    assertThat(out.get("sentry-trace")).isEqualTo(TRACE + "-1111111111111111-1");
  }

  @Test
  void sendsHeadersOnlyToTargetsWhenTheClientSpanHasAUrl() {
    SentryTracePropagator targeted = SentryTracePropagator.create(Tracer.builder().tracePropagationTargets(List.of("api.internal")).build());
    try (SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(SentryEnvelopeSpanExporter.incomingDscRecorder()).build()) {
      for (String url : List.of("https://api.internal/v1", "https://third-party.example/v1")) {
        Span client = provider.get("t").spanBuilder("GET").setSpanKind(SpanKind.CLIENT).setAttribute("url.full", url).startSpan();
        Map<String, String> out = new HashMap<>();
        targeted.inject(Context.root().with(client), out, MapCarrier.SETTER);
        assertThat(out.containsKey("sentry-trace")).as(url).isEqualTo(url.contains("api.internal"));
        assertThat(out.containsKey("baggage")).as(url).isEqualTo(url.contains("api.internal"));
        client.end();
      }
      // A span without a URL (the server span itself) still propagates.
      Span internal = provider.get("t").spanBuilder("work").startSpan();
      Map<String, String> out = new HashMap<>();
      targeted.inject(Context.root().with(internal), out, MapCarrier.SETTER);
      assertThat(out).containsKey("sentry-trace");
    }
  }

  @Test
  void injectsNothingWithoutAValidSpan() {
    Map<String, String> out = new HashMap<>();
    propagator.inject(Context.root(), out, MapCarrier.SETTER);
    propagator.inject(null, out, MapCarrier.SETTER);
    propagator.inject(Context.root(), out, null);
    assertThat(out).isEmpty();
  }

  @Test
  void aSetterThatThrowsNeverReachesTheCaller() {
    SpanContext local = SpanContext.create(TRACE, SPAN, TraceFlags.getSampled(), TraceState.getDefault());
    try (LogRecords log = LogRecords.of(SentryTracePropagator.class)) {
      for (int i = 0; i < 2; i++) {
        propagator.inject(Context.root().with(Span.wrap(local)), new HashMap<String, String>(), (c, k, v) -> {
          throw new IllegalStateException("broken carrier");
        });
      }
      // Warned once, then quiet.
      assertThat(log.records()).filteredOn(r -> r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()).singleElement()
          .satisfies(r -> assertThat(r.getThrown()).hasMessage("broken carrier"));
    }
    Context ctx = propagator.extract(Context.root(), headers(), new io.opentelemetry.context.propagation.TextMapGetter<>() {
      @Override
      public Iterable<String> keys(Map<String, String> carrier) {
        return carrier.keySet();
      }

      @Override
      public String get(Map<String, String> carrier, String key) {
        throw new IllegalStateException("broken getter");
      }
    });
    assertThat(ctx).isSameAs(Context.root());
  }

  @Test
  void fieldsAreSentryTraceAndBaggage() {
    assertThat(propagator.fields()).containsExactly("sentry-trace", "baggage");
    Incoming none = Context.root().get(SentryTracePropagator.INCOMING);
    assertThat(none).isNull();
  }
}
